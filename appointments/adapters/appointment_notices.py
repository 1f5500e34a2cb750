"""Telling the business an appointment was booked, moved or cancelled: a `Notice`
(notifiers.py) for the same notifiers as a handoff (WhatsApp/SMS to AGENT_PHONE_NUMBER,
the signed webhook), with its Spanish text for the agent's phone and its JSON fields.
BUSINESS_NOTIFY (settings.py) says which of the three the business wants. Also the day's
agenda for the agent's phone at opening time (DAILY_AGENDA, appointments/worker/).

The texts here are for the business's staff, like the handoff notice's (notifiers.py);
what customers read lives in domain.yml.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Dict, Optional, Tuple


from appointments.domain import date_words
from appointments.domain.language import BUSINESS_LANGUAGE
from appointments.domain.appointment import Appointment

BOOKED, RESCHEDULED, CANCELLED = "booked", "rescheduled", "cancelled"  # BUSINESS_NOTIFY
EVENTS = {BOOKED: "appointment.booked", RESCHEDULED: "appointment.rescheduled",
          CANCELLED: "appointment.cancelled"}
HEADLINES = {BOOKED: "📅 Nueva cita", RESCHEDULED: "🔁 Cita cambiada",
             CANCELLED: "🗑️ Cita cancelada"}
MAX_NAME = 60


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
            lines += [f"Antes: {date_words.moment_text(self.previous_start, BUSINESS_LANGUAGE)}",
                      f"Ahora: {date_words.moment_text(self.start, BUSINESS_LANGUAGE)}"]
        elif self.kind == CANCELLED:
            lines.append(f"Era: {date_words.moment_text(self.start, BUSINESS_LANGUAGE)}")
        else:
            lines.append(f"Cuándo: {date_words.moment_text(self.start, BUSINESS_LANGUAGE)}")
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


AGENDA_EVENT = "agenda.daily"
MAX_BODY = 1600  # Twilio's limit (UTF-16 units, as in notifiers.py)


@dataclass(frozen=True)
class DailyAgendaNotice:
    """The day's booked appointments, for the agent's phone at opening time (the worker's
    DAILY_AGENDA task). `lines`: one per appointment, made by `agenda_line`."""

    day: date
    lines: Tuple[str, ...] = ()
    console_url: Optional[str] = None  # the console's "Hoy" page
    phone: str = ""  # nobody's: a notice about the business, not a customer
    event: str = AGENDA_EVENT

    def agent_text(self) -> str:
        title = date_words.day_text(self.day, BUSINESS_LANGUAGE)
        if not self.lines:
            return f"🗓️ Hoy, {title}, no hay citas agendadas."
        count = len(self.lines)
        head = f"🗓️ Agenda de hoy, {title}: {count} cita{'s' if count != 1 else ''}"
        tail = [f"Detalle: {self.console_url}"] if self.console_url else []
        shown = list(self.lines)
        while True:
            more = [f"… y {count - len(shown)} más"] if len(shown) < count else []
            text = "\n".join([head, *shown, *more, *tail])
            if len(text.encode("utf-16-le")) // 2 <= MAX_BODY or not shown:
                return text
            shown.pop()

    def fields(self) -> Dict[str, Any]:
        return {"event": self.event, "day": self.day.isoformat(), "lines": list(self.lines)}

    def subject(self) -> str:
        return f"agenda {self.day.isoformat()}"


def agenda_line(appointment: Appointment, service_name: Optional[str] = None) -> str:
    """'09:00 · Consulta · Ana (+5215512345678) ✅' (✅: the customer confirmed)."""
    name = " ".join((appointment.customer_name or "").split())[:MAX_NAME]
    who = f"{name} ({_bare(appointment.phone)})" if name else _bare(appointment.phone)
    named = f" · {service_name}" if service_name else ""
    confirmed = " ✅" if appointment.is_confirmed else ""
    return f"{appointment.start.strftime('%H:%M')}{named} · {who}{confirmed}"
