"""Telling the user how a change to an existing appointment went (cancel, reschedule)."""
from __future__ import annotations

from typing import Callable, List, Optional, Text

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import formatting
from actions.slot_state import reset_flow
from appointments.domain import (
    Appointment,
    AppointmentNotActive,
    AppointmentNotFound,
    SlotUnavailable,
)


def apply_change(
    dispatcher: CollectingDispatcher,
    code: Text,
    change: Callable[[], Appointment],
    done_response: Text,
    done: Optional[Callable[[Appointment], None]] = None,
) -> List[EventType]:
    """Run the change and pick the response; the flow's slots are cleared either way.
    `done` gets the changed appointment (to tell the business) once it succeeded."""
    try:
        appointment = change()
    except SlotUnavailable as clash:
        dispatcher.utter_message(
            response=f"utter_time_{clash.reason.value}",
            date_text=formatting.day_text(clash.start.date()) if clash.start else "",
            time=formatting.time_text(clash.start) if clash.start else "",
        )
        dispatcher.utter_message(response="utter_reschedule_discarded")
    except AppointmentNotFound:
        dispatcher.utter_message(response="utter_code_not_found", code=code)
    except AppointmentNotActive:
        dispatcher.utter_message(response="utter_appointment_not_active", code=code)
    except SQLAlchemyError:
        dispatcher.utter_message(response="utter_booking_failed")
    else:
        dispatcher.utter_message(
            response=done_response,
            code=appointment.code,
            appointment_text=formatting.moment_text(appointment.start),
        )
        if done is not None:
            done(appointment)
    return reset_flow()
