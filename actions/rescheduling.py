"""Moving an appointment to another slot, atomically (the service does it in one
transaction: the new slot is taken and the old one freed, or nothing changes)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import reply_context
from actions.business_notices import notify_business
from actions.form_validation import AppointmentFormValidation
from actions.outcomes import apply_change
from actions.slot_state import menu_if_asked, combine, parse_day, parse_time, reset_flow


class ValidateRescheduleForm(AppointmentFormValidation):
    form = "reschedule_form"
    required = ("appointment_code", "appointment_date", "appointment_time", "reschedule_confirmed")
    confirmation_slot = "reschedule_confirmed"


class ActionRescheduleAppointment(Action):
    def name(self) -> Text:
        return "action_reschedule_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        code = tracker.get_slot("appointment_code")
        day = parse_day(tracker.get_slot("appointment_date"))
        at = parse_time(tracker.get_slot("appointment_time"))
        confirmed = tracker.get_slot("reschedule_confirmed") is True
        if not (confirmed and code and day and at):
            dispatcher.utter_message(response="utter_reschedule_discarded")
            return reset_flow() + menu_if_asked(dispatcher, tracker)
        service = reply_context.tracker_scheduler(tracker, moving=True)
        new_start = combine(service.calendar, day, at)
        before = service.ignoring.start if service.ignoring is not None else None
        return apply_change(
            dispatcher,
            code,
            lambda: service.reschedule(tracker.sender_id, code, new_start),
            "utter_reschedule_done",
            lambda moved: notify_business("rescheduled", moved, tracker, previous_start=before),
        )
