"""Telling the business an appointment was booked, moved or cancelled: a `Notice`
(notifiers.py) for the same notifiers as a handoff (WhatsApp/SMS to AGENT_PHONE_NUMBER,
the signed webhook), with its Spanish text for the agent's phone and its JSON fields.
BUSINESS_NOTIFY (settings.py) says which of the three the business wants.

The texts here are for the business's staff, like the handoff notice's (notifiers.py);
what customers read lives in domain.yml.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

from babel.dates import format_date

from appointments.domain.appointment import Appointment

BOOKED, RESCHEDULED, CANCELLED = "booked", "rescheduled", "cancelled"  # BUSINESS_NOTIFY
EVENTS = {BOOKED: "appointment.booked", RESCHEDULED: "appointment.rescheduled",
          CANCELLED: "appointment.cancelled"}
HEADLINES = {BOOKED: "📅 Nueva cita", RESCHEDULED: "🔁 Cita cambiada",
             CANCELLED: "🗑️ Cita cancelada"}
MAX_NAME = 60


def when_text(moment: datetime) -> str:
    """'jueves 26 de noviembre, 17:00' (in the moment's own zone: business time)."""
    day = format_date(moment.date(), "EEEE d 'de' MMMM", locale="es_MX")
    return f"{day}, {moment.strftime('%H:%M')}"


def _bare(phone: str) -> str:
    return phone.split(":", 1)[1] if phone.startswith("whatsapp:") else phone


@dataclass(frozen=True)
class AppointmentNotice:
    kind: str  # BOOKED | RESCHEDULED | CANCELLED
    code: str
    phone: str
    start: datetime  # aware, business time; for a reschedule, the new start
    end: datetime
    service: Optional[str] = None  # the Offering.key
    service_name: Optional[str] = None
    customer_name: Optional[str] = None
    previous_start: Optional[datetime] = None  # a reschedule's old start

    @classmethod
    def of(cls, kind: str, appointment: Appointment, service_name: Optional[str] = None,
           customer_name: Optional[str] = None,
           previous_start: Optional[datetime] = None) -> "AppointmentNotice":
        """`customer_name`: when the appointment has none stored (e.g. WhatsApp's profile
        name of the conversation)."""
        if kind not in EVENTS:
            raise ValueError(f"unknown appointment notice {kind!r}")
        return cls(kind=kind, code=appointment.code, phone=appointment.phone,
                   start=appointment.start, end=appointment.end, service=appointment.service,
                   service_name=service_name,
                   customer_name=appointment.customer_name or customer_name,
                   previous_start=previous_start if kind == RESCHEDULED else None)

    @property
    def event(self) -> str:
        return EVENTS[self.kind]

    def agent_text(self) -> str:
        name = " ".join((self.customer_name or "").split())[:MAX_NAME]
        lines = [f"{HEADLINES[self.kind]} {self.code}",
                 f"Cliente: {name + ' ' if name else ''}({_bare(self.phone)})"]
        if self.service_name:
            lines.append(f"Servicio: {self.service_name}")
        if self.kind == RESCHEDULED and self.previous_start is not None:
            lines += [f"Antes: {when_text(self.previous_start)}",
                      f"Ahora: {when_text(self.start)}"]
        elif self.kind == CANCELLED:
            lines.append(f"Era: {when_text(self.start)}")
        else:
            lines.append(f"Cuándo: {when_text(self.start)}")
        return "\n".join(lines)

    def fields(self) -> Dict[str, Any]:
        def iso(moment: Optional[datetime]) -> Optional[str]:
            return moment.isoformat() if moment is not None else None

        return {"event": self.event, "code": self.code, "service": self.service,
                "service_name": self.service_name, "start": iso(self.start),
                "end": iso(self.end), "previous_start": iso(self.previous_start),
                "customer_name": self.customer_name, "phone": self.phone}

    def subject(self) -> str:
        return f"appointment {self.code}"
