"""One way to read and check form answers, shared by the booking, cancellation and
reschedule forms.

Each form answer can arrive as a numbered option ("2"), a Duckling `time` entity
("mañana a las 5"), an `appointment_code` entity, or a yes/no. The validation action
reads whatever the message holds for the form's slots, checks it against the scheduling
rules, and explains any problem in the user's words.

Returning no slot at all when nothing fits lets Rasa reject the form, so rules can
handle a change of topic ("mejor cancela mi cita"); an answer that was meant for the
form but can't be used gets an explanation and the question again.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting, services
from actions.slot_state import (
    DISPLAY_SLOTS,
    REQUESTED_SLOT,
    combine,
    parse_day,
    parse_time,
    slots_set_since_last_user_message,
)
from appointments.nlu.options import pick_option
from appointments.nlu.requested_time import read_requested_time
from appointments.scheduling import (
    AppointmentNotActive,
    AppointmentNotFound,
    Unavailability,
    normalize_code,
)

DATE, TIME, CODE = "appointment_date", "appointment_time", "appointment_code"
OFFERED = "offered_options"
YES_NO = (True, False)  # the order of the Sí/No buttons
# Reasons explained with utter_time_<reason>; the others are about the day (utter_date_*).
TIME_REASONS = {"past", "too_soon", "outside_hours", "off_grid", "taken"}

# Intents that mean "I want something else": nothing is extracted, Rasa rejects the form
# and the rules in data/rules/ take over.
TOPIC_CHANGES = {
    "book_appointment", "cancel_appointment", "reschedule_appointment", "view_slots",
    "list_appointments", "human_handoff", "show_menu", "goodbye", "greet", "thank",
    "bot_challenge", "out_of_scope", "nlu_fallback", "deny",
}
NOT_UNDERSTOOD = {
    DATE: "utter_date_not_understood",
    TIME: "utter_time_not_understood",
    CODE: "utter_code_invalid",
}


class AppointmentFormValidation(Action):
    """Base of `validate_<form>` actions. Subclasses set `form` and `required`."""

    form: Text = ""
    required: tuple = ()
    confirmation_slot: Text = ""

    def name(self) -> Text:
        return f"validate_{self.form}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        current = {slot: tracker.get_slot(slot) for slot in self.required + DISPLAY_SLOTS}
        updates: Dict[Text, Any] = {}
        if requested is None:
            # The form is starting: forget answers from an earlier flow, but keep what
            # an action set on purpose just before it (e.g. alternatives after a clash).
            kept = slots_set_since_last_user_message(tracker)
            for slot, value in current.items():
                if slot not in kept and value is not None:
                    updates[slot] = None
                    current[slot] = None
        found = self.extract(tracker, requested, current)
        if not found:
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            if requested in NOT_UNDERSTOOD and intent not in TOPIC_CHANGES:
                dispatcher.utter_message(response=NOT_UNDERSTOOD[requested])
                updates[requested] = None
            return [SlotSet(k, v) for k, v in updates.items()]
        current.update(found)
        updates.update(found)
        updates.update(self.validate(dispatcher, tracker, current, found))
        return [SlotSet(k, v) for k, v in updates.items()]

    # --- extraction ------------------------------------------------------------------

    def extract(
        self, tracker: Tracker, requested: Optional[Text], current: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        entities = message.get("entities") or []
        intent = (message.get("intent") or {}).get("name")

        if requested == self.confirmation_slot:
            answer = self._yes_no(intent, text)
            if answer is not None:
                return {self.confirmation_slot: answer}
        picked = self._picked_option(requested, text, current)
        if picked:
            return picked

        found: Dict[Text, Any] = {}
        if CODE in self.required:
            codes = [e.get("value") for e in entities if e.get("entity") == CODE]
            code = next(filter(None, map(normalize_code, codes)), None)
            if code:
                found[CODE] = code
        if DATE in self.required:
            wanted = read_requested_time(entities, services.appointment_service().calendar)
            if wanted.day is not None:
                found[DATE] = wanted.day.isoformat()
            if wanted.at is not None:
                found[TIME] = formatting.time_text(wanted.at)
            if wanted.window is not None:
                found[OFFERED] = self._slots_in_window(wanted, current)
        if found and requested == self.confirmation_slot:
            # A new date or time at the confirmation step: ask to confirm again.
            found[self.confirmation_slot] = None
        return found

    @staticmethod
    def _yes_no(intent: Optional[Text], text: Text) -> Optional[bool]:
        if intent == "affirm":
            return True
        if intent == "deny":
            return False
        index = pick_option(text, len(YES_NO))
        return None if index is None else YES_NO[index]

    @staticmethod
    def _picked_option(
        requested: Optional[Text], text: Text, current: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        offered = current.get(OFFERED) or []
        index = pick_option(text, len(offered))
        if index is None or requested not in (DATE, TIME, CODE):
            return {}
        choice = offered[index]
        if requested == CODE:
            return {CODE: choice}
        if "T" in choice:  # a full slot: date and time at once
            moment = datetime.fromisoformat(choice)
            return {DATE: moment.date().isoformat(), TIME: formatting.time_text(moment)}
        return {DATE: choice}

    def _slots_in_window(self, wanted: Any, current: Dict[Text, Any]) -> List[str]:
        day = wanted.day or parse_day(current.get(DATE))
        if day is None:
            return []
        free = services.appointment_service().free_slots(day, window=wanted.window)
        return [slot.isoformat() for slot in free]

    # --- validation ------------------------------------------------------------------

    def validate(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        current: Dict[Text, Any],
        found: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        result: Dict[Text, Any] = {}
        if CODE in found:
            result.update(self._validate_code(dispatcher, tracker.sender_id, found[CODE]))
        if DATE in found:
            result.update(self._validate_date(dispatcher, tracker, found[DATE]))
        day = parse_day(result.get(DATE, current.get(DATE)))
        at = parse_time(current.get(TIME))
        if day is not None and at is not None and (TIME in found or DATE in found):
            result.update(self._validate_time(dispatcher, day, at))
        return result

    def _validate_code(
        self, dispatcher: CollectingDispatcher, phone: Text, code: Text
    ) -> Dict[Text, Any]:
        service = services.appointment_service()
        try:
            appointment = service.find(phone, code)
            if appointment.status != "booked" or appointment.start <= service.now():
                raise AppointmentNotActive(code)
        except AppointmentNotFound:
            dispatcher.utter_message(response="utter_code_not_found", code=code)
            return {CODE: None}
        except AppointmentNotActive:
            dispatcher.utter_message(response="utter_appointment_not_active", code=code)
            return {CODE: None}
        return {
            CODE: appointment.code,
            "selected_appointment_text": formatting.moment_text(appointment.start),
            OFFERED: None,
        }

    def _validate_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, value: Text
    ) -> Dict[Text, Any]:
        service = services.appointment_service()
        calendar = service.calendar
        day = parse_day(value)
        if day is None:
            dispatcher.utter_message(response="utter_date_not_understood")
            return {DATE: None}
        reason = calendar.check_day(day, service.now())
        if reason is None and not service.free_slots(day):
            reason = Unavailability.FULL_DAY
        if reason is not None:
            dispatcher.utter_message(
                response=f"utter_date_{reason.value}",
                date_text=formatting.day_text(day),
                holiday=calendar.holiday_name(day) or "",
                horizon_days=calendar.horizon_days,
            )
            return {DATE: None, TIME: None, "appointment_date_text": None}
        entities = (tracker.latest_message or {}).get("entities") or []
        if any((e.get("additional_info") or {}).get("weekday_mismatch") for e in entities):
            dispatcher.utter_message(
                response="utter_weekday_mismatch", date_text=formatting.day_text(day)
            )
        return {DATE: day.isoformat(), "appointment_date_text": formatting.day_text(day)}

    def _validate_time(
        self, dispatcher: CollectingDispatcher, day: date, at: time
    ) -> Dict[Text, Any]:
        service = services.appointment_service()
        start = combine(service.calendar, day, at)
        reason = service.check_slot(start)
        if reason is None:
            return {TIME: formatting.time_text(at), OFFERED: None}
        hours = service.calendar.opening_hours(day)
        day_level = reason.value not in TIME_REASONS
        dispatcher.utter_message(
            response=f"utter_{'date' if day_level else 'time'}_{reason.value}",
            date_text=formatting.day_text(day),
            holiday=service.calendar.holiday_name(day) or "",
            horizon_days=service.calendar.horizon_days,
            min_notice_minutes=int(service.calendar.min_notice.total_seconds() // 60),
            slot_minutes=service.calendar.slot_minutes,
            opening_hours=(
                f"{formatting.time_text(hours[0])}–{formatting.time_text(hours[1])}"
                if hours
                else ""
            ),
        )
        alternatives = service.nearest_free_slots(start, limit=4)
        if alternatives:
            same_day = all(slot.date() == day for slot in alternatives)
            label = formatting.time_text if same_day else formatting.moment_text
            dispatcher.utter_message(
                response="utter_alternatives",
                options=formatting.numbered(label(slot) for slot in alternatives),
            )
        else:
            dispatcher.utter_message(response="utter_no_alternatives")
        return {TIME: None, OFFERED: [slot.isoformat() for slot in alternatives]}
