"""The Spanish texts the business's agents read in their helpdesk: the case's summary
(why the person asked, what they wanted, what they had told the bot, the console link)
and the transcript of the conversation with the bot. Shared by every product."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from appointments.domain.phones import normalize_phone

AUTHORS = {"user": "Cliente", "bot": "Asistente", "agent": "Agente"}
MAX_LINE = 1000


def bare_phone(case: Dict[str, Any]) -> str:
    """"+5215512345678" from whatever form the case holds ("whatsapp:+52...")."""
    phone = normalize_phone(case.get("phone") or "")
    return phone.split(":", 1)[1] if ":" in phone else phone


def customer_name(case: Dict[str, Any]) -> str:
    return (case.get("profile_name") or "").strip()[:120] or f"WhatsApp {bare_phone(case)}"


def subject(case: Dict[str, Any]) -> str:
    return f"Solicitud de atención #{case['id']} · {customer_name(case)}"


def summary(case: Dict[str, Any], console_url: Optional[str] = None) -> str:
    """What an agent reads first (a private note, a ticket's description...)."""
    # the agent notices' words (imported here: notifiers.py needs the settings, which
    # need this package)
    from appointments.adapters.notifiers import HIDDEN_SLOTS, REASONS, SLOT_LABELS

    data = case.get("summary") or {}
    lines = [f"🙋 Solicitud de atención #{case['id']} desde WhatsApp",
             f"Cliente: {customer_name(case)} ({bare_phone(case)})",
             f"Motivo: {REASONS.get(case.get('reason') or '', case.get('reason') or '')}"]
    if data.get("goal"):
        lines.append(f"Quería: {data['goal']}")
    slots = [f"{SLOT_LABELS.get(k, k)}={str(v)[:60]}"
             for k, v in (data.get("slots") or {}).items()
             if k not in HIDDEN_SLOTS and v not in (None, "", [], {})]
    if slots:
        lines.append("Datos: " + ", ".join(slots))
    if console_url:
        lines.append(f"Consola: {console_url.rstrip('/')}/agent/cases/{case['id']}")
    lines.append("Lo que respondas aquí (mensaje público) le llega por WhatsApp; "
                 "al resolver la conversación, el asistente vuelve a atenderle.")
    return "\n".join(lines)


def _clock_time(at: Any) -> str:
    try:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    except ValueError:
        return ""
    return moment.strftime("%H:%M") + " UTC"


def transcript_lines(transcript: Sequence[Dict[str, Any]]) -> List[str]:
    """One line per message: "[10:42 UTC] Cliente: quiero una cita"."""
    out = []
    for line in transcript:
        text = " ".join(str(line.get("text") or "").split())[:MAX_LINE]
        if not text:
            continue
        author = AUTHORS.get(line.get("author") or "", "?")
        stamp = _clock_time(line["at"]) if line.get("at") else ""
        out.append(f"[{stamp}] {author}: {text}" if stamp else f"{author}: {text}")
    return out


def transcript(transcript_: Sequence[Dict[str, Any]]) -> str:
    lines = transcript_lines(transcript_)
    if not lines:
        return "Conversación con el asistente: (sin mensajes)"
    return "Conversación con el asistente:\n" + "\n".join(lines)
