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


def settings() -> Settings:
    return bootstrap.parts().settings


def appointment_service() -> AppointmentService:
    return bootstrap.parts().appointments()


def handoff_repository() -> SqlHandoffRepository:
    return bootstrap.parts().handoff_cases()


def notifiers() -> "Notifiers":
    return bootstrap.parts().notifiers()


def use(service: AppointmentService, notifiers: Optional["Notifiers"] = None) -> None:
    """Wire a ready-made service (tests pass one with a fixed clock and their database)
    and, optionally, the agent notifiers."""
    bootstrap.use(bootstrap.Parts(Settings.from_env(), service=service, notifiers=notifiers))
