"""Moving an appointment to another slot, atomically (the service does it in one
transaction: the new slot is taken and the old one freed, or nothing changes)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import formatting, services
from actions.booking import reset_flow
from actions.form_validation import AppointmentFormValidation
from actions.slot_state import combine, parse_day, parse_time
from appointments.scheduling import AppointmentNotActive, AppointmentNotFound, SlotUnavailable


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
            return reset_flow()
        service = services.appointment_service()
        try:
            appointment = service.reschedule(
                tracker.sender_id, code, combine(service.calendar, day, at)
            )
        except SlotUnavailable as clash:
            dispatcher.utter_message(response=f"utter_time_{clash.reason.value}")
            dispatcher.utter_message(response="utter_reschedule_discarded")
        except AppointmentNotFound:
            dispatcher.utter_message(response="utter_code_not_found", code=code)
        except AppointmentNotActive:
            dispatcher.utter_message(response="utter_appointment_not_active", code=code)
        except SQLAlchemyError:
            dispatcher.utter_message(response="utter_booking_failed")
        else:
            dispatcher.utter_message(
                response="utter_reschedule_done",
                code=appointment.code,
                appointment_text=formatting.moment_text(appointment.start),
            )
        return reset_flow()
