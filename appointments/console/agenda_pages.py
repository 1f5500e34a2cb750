"""The console's "Hoy" page: today's appointments in business time, whether each was
confirmed, and two buttons to record whether the customer came. Everything that comes
from users or the database goes through `e()` (html.escape), as in pages.py."""
from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Callable, List, Optional

from appointments.domain.date_words import day_text
from appointments.domain.language import BUSINESS_LANGUAGE

from appointments.console.pages import _notice, e, layout
from appointments.domain.appointment import ATTENDED, NO_SHOW, Appointment

ATTENDANCE_LABELS = {ATTENDED: "Asistió", NO_SHOW: "No asistió"}
AGENDA_CSS = """
#agenda{list-style:none;padding:0} #agenda li{background:#fff;border:1px solid #d0d7de;
 border-radius:8px;padding:.6rem;margin:.5rem 0}
#agenda li.cancelled{opacity:.6} .time{font-weight:700;font-size:1.1rem}
.state{display:inline-block;border-radius:4px;padding:0 .3rem;font-size:.9rem}
.confirmed{background:#e6f4ea} .unconfirmed{background:#fff4e5} .gone{background:#eee}
form.attendance{display:inline} form.attendance button{margin:.3rem .3rem 0 0;padding:.4rem .8rem}
"""


def day_title(day: date) -> str:
    """'miércoles 25 de noviembre' (Babel's Spanish names)."""
    return day_text(day, BUSINESS_LANGUAGE)


def _clock_time(moment: Optional[datetime], tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M") if moment else ""


def _confirmation(appointment: Appointment, tz: tzinfo) -> str:
    if not appointment.is_booked:
        return '<span class="state gone">Cancelada</span>'
    if appointment.is_confirmed:
        when = _clock_time(appointment.confirmed_at, tz)
        day = appointment.confirmed_at.astimezone(tz).strftime("%d/%m")  # type: ignore[union-attr]
        return f'<span class="state confirmed">✅ Confirmada</span> <span class="muted">' \
               f'({e(day)} {e(when)})</span>'
    return '<span class="state unconfirmed">Sin confirmar</span>'


def _attendance(appointment: Appointment, tz: tzinfo) -> str:
    if not appointment.is_booked:
        return ""
    recorded = ""
    if appointment.attendance in ATTENDANCE_LABELS:
        recorded = (f'<strong class="marked">{ATTENDANCE_LABELS[appointment.attendance]}</strong>'
                    f' <span class="muted">(registró {e(appointment.attendance_by)}, '
                    f'{e(_clock_time(appointment.attendance_at, tz))})</span><br>')
    action = f"/agent/today/{e(appointment.code)}/attendance"
    buttons = "".join(
        f'<form class="attendance" method="post" action="{action}">'
        f'<input type="hidden" name="attendance" value="{value}">'
        f'<button type="submit" class="{value}"'
        f'{" disabled" if appointment.attendance == value else ""}>{label}</button></form>'
        for value, label in ATTENDANCE_LABELS.items()
    )
    return f"{recorded}{buttons}"


def today_page(day: date, appointments: List[Appointment], now: datetime, tz: tzinfo,
               service_name: Callable[[Optional[str]], Optional[str]],
               notice: Optional[str] = None, agent: str = "") -> str:
    """The day's appointments by start, booked and cancelled; `service_name` names a
    service key (None: nothing to show, as with a single service)."""
    items = []
    for appointment in appointments:
        service = service_name(appointment.service)
        kind = "booked" if appointment.is_booked else "cancelled"
        items.append(
            f'<li class="{kind}" id="cita-{e(appointment.code)}">'
            f'<span class="time">{e(_clock_time(appointment.start, tz))}</span> '
            f'{e(service) + " · " if service else ""}'
            f'<strong>{e(appointment.customer_name or "Sin nombre")}</strong> '
            f'<span class="muted">{e(appointment.phone)} · {e(appointment.code)}</span><br>'
            f"{_confirmation(appointment, tz)}<br>{_attendance(appointment, tz)}</li>"
        )
    booked = sum(1 for a in appointments if a.is_booked)
    listing = (f'<ol id="agenda">{"".join(items)}</ol>' if items else
               '<ol id="agenda"></ol><p class="empty">No hay citas para hoy.</p>')
    body = (f"<style>{AGENDA_CSS}</style>{_notice(notice)}"
            f"<h1>Citas de hoy, {e(day_title(day))} ({booked})</h1>{listing}"
            f'<p class="muted">Actualizado {e(now.astimezone(tz).strftime("%H:%M"))}. '
            '<a href="/agent/today">Recargar</a></p>')
    return layout("Citas de hoy", body, agent)
