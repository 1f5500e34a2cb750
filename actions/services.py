"""What the actions use, from the process's composition root (appointments/bootstrap.py).

rasa-sdk builds the actions itself, without arguments, so they ask for their
collaborators here; tests wire theirs with `use()`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from appointments import bootstrap
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.services.scheduling import AppointmentService
from appointments.settings import Settings

if TYPE_CHECKING:
    from appointments.adapters.notifiers import Notifiers
    from appointments.domain.appointment import Appointment
    from appointments.rasa.channels.turns import TurnWorker
    from appointments.services.business_answers import BusinessAnswers
    from appointments.services.helpdesk_sync import HelpdeskSync
    from appointments.services.llm_answers import LlmAnswers


def settings() -> Settings:
    return bootstrap.parts().settings


def appointment_service() -> AppointmentService:
    return bootstrap.parts().appointments()


def scheduling(service_key: Optional[str] = None,
               moving: Optional["Appointment"] = None) -> AppointmentService:
    """The scheduling service for what is being booked: the chosen service's duration
    decides which starts are free (`service_key`, the slot appointment_service), or the
    appointment being moved keeps its own service. With one service, that one."""
    parts = bootstrap.parts()
    if moving is not None:  # its own length; its own interval is not in the way
        return parts.appointments().for_appointment(moving)
    profile = parts.settings.business
    offering = profile.offering(service_key)
    if offering is None and not profile.asks_for_service:
        offering = profile.default_offering
    return parts.appointments().for_offering(offering)


def business_answers() -> "BusinessAnswers":
    return bootstrap.parts().business_answers()


def llm_answers() -> Optional["LlmAnswers"]:
    """The LLM answerer, or None when LLM_BASE_URL / LLM_API_KEY / LLM_MODEL are unset."""
    return bootstrap.parts().llm_answers()


def handoff_repository() -> SqlHandoffRepository:
    return bootstrap.parts().handoff_cases()


def notifiers() -> "Notifiers":
    return bootstrap.parts().notifiers()


def helpdesk_sync() -> Optional["HelpdeskSync"]:
    """The helpdesks HELPDESK names (None: none)."""
    return bootstrap.parts().helpdesk_sync()


def notice_worker() -> "TurnWorker":
    """Where notices to the business go out, after and apart from the user's reply."""
    return bootstrap.parts().notice_worker()


def use(service: AppointmentService, notifiers: Optional["Notifiers"] = None) -> None:
    """Wire a ready-made service (tests pass one with a fixed clock and their database)
    and, optionally, the agent notifiers."""
    bootstrap.use(bootstrap.Parts(Settings.from_env(), service=service, notifiers=notifiers))
