"""The console's "Hoy" routes: GET /agent/today (today's appointments) and
POST /agent/today/<code>/attendance (attended / no-show, recorded with the agent's name).

They sit behind the same guard as every console route (app.py: login, and POSTs from
another origin refused). The agenda's database calls run in a thread, off the event loop.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from appointments.console import agenda_pages
from appointments.domain.appointment import ATTENDANCE
from appointments.domain.codes import normalize_code
from appointments.domain.errors import AppointmentNotActive, AppointmentNotFound
from appointments.services.agenda import Agenda
from appointments.settings import Settings

logger = logging.getLogger(__name__)

Page = Callable[..., HTTPResponse]  # app.py's error page: (status, title, message, request, back)
BACK = "/agent/today"


def add_agenda_routes(app: Sanic, agenda: Optional[Agenda], settings: Settings,
                      page: Page) -> None:
    tz = settings.tz
    business = settings.business

    def service_name(key: Optional[str]) -> Optional[str]:
        offering = business.offering(key)
        return offering.name if offering is not None and business.asks_for_service else None

    async def off_loop(function: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args))

    def unavailable(request: Request) -> HTTPResponse:
        return page(404, "No disponible", "Esta consola no tiene acceso a las citas.", request)

    @app.get("/agent/today")
    async def today(request: Request) -> HTTPResponse:
        if agenda is None:
            return unavailable(request)
        day = agenda.today()
        appointments = await off_loop(agenda.day, day)
        notice = None
        code = normalize_code(request.args.get("cita", ""))
        label = agenda_pages.ATTENDANCE_LABELS.get(request.args.get("aviso", ""))
        if code and label:
            notice = f"Cita {code}: quedó registrada como «{label}»."
        return html(agenda_pages.today_page(day, appointments, agenda.now(), tz, service_name,
                                            notice, request.ctx.agent))

    @app.post("/agent/today/<code:str>/attendance")
    async def attendance(request: Request, code: str) -> HTTPResponse:
        if agenda is None:
            return unavailable(request)
        value = request.form.get("attendance") or ""
        if value not in ATTENDANCE:
            return page(400, "Respuesta no válida",
                        "Elige «Asistió» o «No asistió».", request, BACK)
        try:
            marked = await off_loop(agenda.mark, code, value, request.ctx.agent)
        except AppointmentNotFound:
            return page(404, "Cita no encontrada", "No existe esa cita.", request, BACK)
        except AppointmentNotActive:
            return page(409, "No se registró",
                        "Solo se registra la asistencia de citas vigentes de hoy o de días "
                        "pasados; esta está cancelada o es de otro día.", request, BACK)
        logger.info("agent %s marked appointment %s as %s", request.ctx.agent, marked.code, value)
        return redirect(f"{BACK}?aviso={value}&cita={marked.code}", status=303)
