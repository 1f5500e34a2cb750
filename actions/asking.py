"""The forms' questions: which day, which time, which appointment (with the options
they list), and the confirmations.

Rasa calls `action_ask_<slot>` when a form needs that slot. Each one stores what it
listed in `offered_options`, so "2" can be read back by the form validation.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import formatting, reply_context, services
from actions.service_choice import service_name
from actions.slot_state import parse_day, parse_time

MAX_DAYS = 6  # a week of opening days, Saturday included
OFFERED = "offered_options"


def _rescheduling(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "reschedule_form"


class ActionAskAppointmentDate(Action):
    def name(self) -> Text:
        return "action_ask_appointment_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        service = reply_context.tracker_scheduler(tracker, moving=_rescheduling(tracker))
        offered = [v for v in tracker.get_slot(OFFERED) or []
                   if "T" not in v and parse_day(v) is not None]  # days, not services
        if 2 <= len(offered) <= 3:  # the weekday and the date did not match: which one?
            days = [parse_day(v) for v in offered]
            dispatcher.utter_message(
                response="utter_ask_date_which",
                first=formatting.day_text(days[0]), second=formatting.day_text(days[-1]),
                options=formatting.numbered(formatting.day_text(d) for d in days),
            )
            return [SlotSet(OFFERED, offered)]
        days = service.days_with_space(limit=MAX_DAYS)
        if not days:
            dispatcher.utter_message(
                response="utter_ask_date_no_space",
                horizon_days=service.calendar.horizon_days,
            )
            return [SlotSet(OFFERED, None)]
        rescheduling = (tracker.active_loop or {}).get("name") == "reschedule_form"
        dispatcher.utter_message(
            response="utter_ask_date_for_reschedule" if rescheduling else "utter_ask_date_with_days",
            selected_appointment_text=tracker.get_slot("selected_appointment_text") or "",
            options=formatting.numbered(formatting.day_text(day) for day, _ in days),
        )
        return [SlotSet(OFFERED, [day.isoformat() for day, _ in days])]


class ActionAskAppointmentTime(Action):
    def name(self) -> Text:
        return "action_ask_appointment_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        service = reply_context.tracker_scheduler(tracker, moving=_rescheduling(tracker))
        day = parse_day(tracker.get_slot("appointment_date"))
        if day is None:  # cannot happen in the forms' slot order; ask for the day first
            return await ActionAskAppointmentDate().run(dispatcher, tracker, domain)
        offered = [
            value
            for value in tracker.get_slot(OFFERED) or []
            if "T" in value and value.startswith(day.isoformat())
        ]
        if not offered:
            offered = [slot.isoformat() for slot in service.free_slots(day)]
        moments = [datetime.fromisoformat(value) for value in offered]
        if reply_context.times_are_numbered(len(moments)):
            dispatcher.utter_message(
                response="utter_ask_time_numbered",
                date_text=formatting.day_text(day),
                options=formatting.numbered(formatting.time_text(m) for m in moments),
            )
        else:
            dispatcher.utter_message(
                response="utter_ask_time_grouped",
                date_text=formatting.day_text(day),
                options=formatting.grouped_times(moments),
            )
        return [SlotSet(OFFERED, offered)]


class ActionAskAppointmentCode(Action):
    """Which of the user's own upcoming appointments (cancellation or reschedule)."""

    def name(self) -> Text:
        return "action_ask_appointment_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        upcoming = services.appointment_service().upcoming(tracker.sender_id)
        if not upcoming:
            dispatcher.utter_message(response="utter_ask_code_no_upcoming")
            return [SlotSet(OFFERED, None)]
        form = (tracker.active_loop or {}).get("name")
        response = (
            "utter_ask_code_for_reschedule"
            if form == "reschedule_form"
            else "utter_ask_code_for_cancellation"
        )
        dispatcher.utter_message(
            response=response,
            options=formatting.numbered(
                formatting.appointment_line(a, service_name(a.service)) for a in upcoming),
        )
        return [SlotSet(OFFERED, [a.code for a in upcoming])]


class ActionAskConfirmation(Action):
    """"¿Confirmas tu cita el …?", "¿Cancelo tu cita del …?", "¿Cambio tu cita …?": the
    day and the chosen appointment are written from the slots that hold them, at the
    moment of asking, so the question never shows a stale or empty value."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        texts: Dict[Text, Any] = {}
        day = parse_day(tracker.get_slot("appointment_date"))
        if day is not None:
            texts["appointment_date_text"] = formatting.day_text(day)
        at = parse_time(tracker.get_slot("appointment_time"))
        shown = {"appointment_time": formatting.time_text(at)} if at is not None else {}
        code = tracker.get_slot("appointment_code")
        if code:
            chosen = reply_context.upcoming_by_code(tracker.sender_id).get(code)
            if chosen is not None:
                texts["selected_appointment_text"] = formatting.day_time_text(chosen.start)
        response = f"utter_ask_{self.slot}"
        named = service_name(tracker.get_slot("appointment_service"))
        if self.slot == "booking_confirmed" and named:
            response, texts = f"{response}_service", {**texts, "service": named}
        dispatcher.utter_message(response=response, **texts, **shown)
        return [SlotSet(name, value) for name, value in texts.items() if name != "service"]


class ActionAskBookingConfirmed(ActionAskConfirmation):
    slot = "booking_confirmed"


class ActionAskCancellationConfirmed(ActionAskConfirmation):
    slot = "cancellation_confirmed"


class ActionAskRescheduleConfirmed(ActionAskConfirmation):
    slot = "reschedule_confirmed"
