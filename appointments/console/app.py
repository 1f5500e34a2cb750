"""The agent console: a small Sanic app under /agent.

Every request needs a login (appointments/console/auth.py): an agent account (HTTP
Basic auth, `make agent-add NAME=ana`) or, only while no account exists, the shared
AGENT_CONSOLE_TOKEN. Repeated failures get 429 with Retry-After. POSTs from another
origin are refused (403). The open cases are here; today's appointments ("Hoy") are in
agenda_routes.py.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import datetime
from typing import Callable, Optional
from urllib.parse import urlsplit

from sanic import Sanic
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, html, json, redirect

from appointments.console import pages
from appointments.console.agenda_routes import add_agenda_routes
from appointments.console.auth import Authenticator
from appointments.services.agenda import Agenda
from appointments.services.handoff_desk import HandoffDesk, SendFailed
from appointments.adapters.rasa_http import RasaUnavailable
from appointments.settings import Settings
from appointments.adapters.sql.handoffs import CaseClosed, CaseNotFound
from appointments.adapters.sql.tables import utc_now

logger = logging.getLogger(__name__)

REALM = 'Basic realm="Consola de agentes", charset="UTF-8"'


def _client_ip(request: Request, trust_proxy_headers: bool) -> str:
    """The peer address; behind a trusted proxy, the last X-Forwarded-For hop (the one
    our proxy added: earlier hops are whatever the client wrote)."""
    forwarded = request.headers.get("x-forwarded-for", "") if trust_proxy_headers else ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1][:64] if hops else (request.ip or "?")


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


def create_app(
    settings: Settings,
    desk: HandoffDesk,
    expire_interval_seconds: Optional[float] = 60.0,
    name: str = "agent_console",
    clock: Callable[[], datetime] = utc_now,
    authenticator: Optional[Authenticator] = None,
    agenda: Optional[Agenda] = None,
) -> Sanic:
    """The console app; `expire_interval_seconds=None` turns the idle timeout off;
    without `agenda` the "Hoy" page says it is not available.
    Without accounts and without a long enough AGENT_CONSOLE_TOKEN it raises
    ConsoleSetupError (a ValueError with a Spanish message)."""
    auth = authenticator or Authenticator(settings)
    tz = settings.tz
    app = Sanic(name)

    def page(status: int, title: str, message: str, request: Request, back: str = "/agent/",
             detail: Optional[str] = None) -> HTTPResponse:
        body = pages.error_page(title, message, back, detail, getattr(request.ctx, "agent", ""))
        return html(body, status=status)

    @app.middleware("request")
    async def guard(request: Request) -> Optional[HTTPResponse]:
        ip = _client_ip(request, settings.trust_proxy_headers)
        outcome = await auth.authenticate(request.headers.get("authorization", ""), ip)
        if outcome.retry_after:
            minutes = -(-outcome.retry_after // 60)
            body = pages.error_page(
                "Demasiados intentos",
                "Hubo demasiados intentos fallidos de entrar. Espera "
                f"{minutes} minuto{'s' if minutes != 1 else ''} y vuelve a intentarlo.",
            )
            return html(body, status=429, headers={"Retry-After": str(outcome.retry_after)})
        if outcome.agent is None:
            body = pages.error_page("Acceso restringido", auth.challenge())
            return html(body, status=401, headers={"WWW-Authenticate": REALM})
        request.ctx.agent = outcome.agent
        request.ctx.nonce = secrets.token_urlsafe(12)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            logger.warning("cross-origin %s %s refused", request.method, request.path)
            return page(403, "Solicitud rechazada",
                        "La solicitud viene de otro sitio y no se procesó.", request)
        return None

    @app.middleware("response")
    async def harden(request: Request, response: HTTPResponse) -> None:
        nonce = getattr(request.ctx, "nonce", "")
        response.headers.update({
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium post "Origin: null"
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": (
                "default-src 'none'; style-src 'unsafe-inline'; connect-src 'self'; "
                f"script-src 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'"
            ),
        })

    @app.exception(NotFound)
    async def not_found(request: Request, _error: Exception) -> HTTPResponse:
        return page(404, "No encontrado", "Esta página no existe.", request)

    @app.get("/")
    async def root(_request: Request) -> HTTPResponse:
        return redirect("/agent/")

    @app.get("/agent/")
    async def index(request: Request) -> HTTPResponse:
        cases = await desk.open_cases()
        notice = None
        if request.args.get("aviso") == "devuelto":
            case = request.args.get("caso", "")
            notice = (f"El caso #{int(case)} " if case.isdigit() else "El caso ") + \
                "se devolvió al asistente; él le avisará al cliente."
        return html(pages.case_list(cases, clock(), tz, notice, request.ctx.agent))

    async def view(case_id: int) -> Optional[dict]:
        try:
            return await desk.case_view(case_id)
        except CaseNotFound:
            return None

    def missing(request: Request, case_id: int) -> HTTPResponse:
        return page(404, "Caso no encontrado", f"No existe el caso #{case_id}.", request)

    @app.get("/agent/cases/<case_id:int>")
    async def case_page(request: Request, case_id: int) -> HTTPResponse:
        case = await view(case_id)
        if case is None:
            return missing(request, case_id)
        notice = "Mensaje enviado." if request.args.get("aviso") == "enviado" else None
        return html(pages.case_page(case, clock(), tz, notice, request.ctx.agent,
                                    request.ctx.nonce))

    @app.get("/agent/cases/<case_id:int>/messages.json")
    async def messages(request: Request, case_id: int) -> HTTPResponse:
        case = await view(case_id)
        if case is None:
            return json({"error": f"no existe el caso #{case_id}"}, status=404)
        return json({"status": case["status"], "messages": pages.timeline(case, tz)},
                    ensure_ascii=False)

    @app.post("/agent/cases/<case_id:int>/reply")
    async def reply(request: Request, case_id: int) -> HTTPResponse:
        text = request.form.get("text") or ""
        back = f"/agent/cases/{case_id}"
        try:
            await desk.reply(case_id, text, request.ctx.agent)
        except ValueError:
            return page(400, "Mensaje vacío", "Escribe un mensaje antes de enviar.", request, back)
        except CaseNotFound:
            return missing(request, case_id)
        except CaseClosed:
            return page(409, "Caso cerrado",
                        "Este caso ya fue devuelto al asistente; el mensaje no se envió.",
                        request, back)
        except SendFailed as error:
            return page(502, "Mensaje no entregado",
                        "WhatsApp no aceptó el mensaje: el cliente no lo recibió. Revisa el "
                        "motivo y vuelve a intentarlo.", request, back,
                        detail=f"{error} · Tu mensaje: {text.strip()}")
        return redirect(f"{back}?aviso=enviado", status=303)

    @app.post("/agent/cases/<case_id:int>/resume")
    async def resume(request: Request, case_id: int) -> HTTPResponse:
        back = f"/agent/cases/{case_id}"
        try:
            await desk.give_back(case_id, closed_by="agent", agent_name=request.ctx.agent)
        except CaseNotFound:
            return missing(request, case_id)
        except CaseClosed:
            return page(409, "Caso cerrado",
                        "Este caso ya fue devuelto al asistente (por otra persona o por "
                        "inactividad). No hace falta hacer nada más.", request)
        except RasaUnavailable as error:
            logger.warning("case %s: give back failed: %s", case_id, error)
            return page(503, "No se pudo devolver al asistente",
                        "No se pudo devolver al asistente: el servidor del asistente no "
                        "responde. El caso sigue abierto; inténtalo de nuevo en un momento.",
                        request, back, detail=str(error))
        logger.info("agent %s gave case %s back to the assistant", request.ctx.agent, case_id)
        return redirect(f"/agent/?aviso=devuelto&caso={case_id}", status=303)

    add_agenda_routes(app, agenda, settings, page)

    async def expire_forever() -> None:
        while True:
            try:
                given_back = await desk.expire_idle()
                if given_back:
                    logger.info("idle cases given back to the assistant: %s", given_back)
            except Exception:  # keep the loop alive: the next round may work
                logger.exception("idle timeout round failed")
            await asyncio.sleep(expire_interval_seconds or 60)

    @app.listener("after_server_start")
    async def start_expiry(app_: Sanic, _loop) -> None:
        if expire_interval_seconds:
            app_.ctx.expiry = asyncio.get_running_loop().create_task(expire_forever())

    @app.listener("before_server_stop")
    async def stop(app_: Sanic, _loop) -> None:
        task = getattr(app_.ctx, "expiry", None)
        if task is not None:
            task.cancel()
        await desk.sender.close()
        await desk.rasa.close()
        auth.close()

    return app


__all__ = ["create_app"]
