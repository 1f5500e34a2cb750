"""The services the actions use, built once on first use (never at import time)."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Optional

from appointments.bootstrap import build_service
from appointments.services.scheduling import AppointmentService
from appointments.settings import Settings
from appointments.adapters.sql.handoffs import SqlHandoffRepository

if TYPE_CHECKING:
    from appointments.adapters.notifiers import Notifiers

_lock = threading.Lock()
_settings: Optional[Settings] = None
_service: Optional[AppointmentService] = None
_handoffs: Optional[SqlHandoffRepository] = None
_notifiers: Optional["Notifiers"] = None


def settings() -> Settings:
    global _settings
    with _lock:
        if _settings is None:
            _settings = Settings.from_env()
        return _settings


def appointment_service() -> AppointmentService:
    global _service
    current = settings()
    with _lock:
        if _service is None:
            _service = build_service(current)
        return _service


def use(service: AppointmentService, notifiers: Optional["Notifiers"] = None) -> None:
    """Wire a ready-made service (tests pass one with a fixed clock and their database)
    and, optionally, the notifiers that tell agents about a handoff."""
    global _service, _handoffs, _notifiers
    with _lock:
        _service, _handoffs, _notifiers = service, None, notifiers


def handoff_repository() -> SqlHandoffRepository:
    global _handoffs
    service = appointment_service()
    with _lock:
        if _handoffs is None:
            _handoffs = SqlHandoffRepository(service.repository.engine)
        return _handoffs


def notifiers() -> "Notifiers":
    """The agent notifiers configured by AGENT_PHONE_NUMBER / HANDOFF_WEBHOOK_URL."""
    global _notifiers
    current = settings()
    with _lock:
        if _notifiers is None:
            from appointments.adapters.notifiers import build_notifiers

            _notifiers = build_notifiers(current)
        return _notifiers
