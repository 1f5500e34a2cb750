"""The console's HTML, from small functions. Everything that comes from users or the
database goes through `e()` (html.escape)."""
from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from typing import Any, Dict, List, Optional

LANGUAGE_NAMES = {"es": "español", "en": "inglés"}
REASONS = {
    "user_request": "Pidió hablar con una persona",
    "fallback": "El asistente no le entendió",
}
SLOT_LABELS = {
    "appointment_date": "Fecha",
    "appointment_time": "Hora",
    "appointment_code": "Código de cita",
    "booking_confirmed": "Confirmó la cita",
    "cancellation_confirmed": "Confirmó la cancelación",
    "reschedule_confirmed": "Confirmó el cambio",
    "appointment_date_text": "Fecha (como se le mostró)",
    "selected_appointment_text": "Cita elegida",
    "offered_options": "Opciones ofrecidas",
}
AUTHORS = {"user": "Cliente", "bot": "Asistente", "agent": "Agente"}

CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:.75rem;
 line-height:1.4;color:#1f2328;background:#f6f7f9}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap}
h1{font-size:1.3rem;margin:.3rem 0} h2{font-size:1.1rem;margin:1rem 0 .4rem}
a{color:#0a58ca} .muted{color:#656d76;font-size:.9rem}
.notice{background:#e6f4ea;border:1px solid #9fd3ad;padding:.6rem;border-radius:6px}
.error{background:#fdecea;border:1px solid #f1a9a0;padding:.6rem;border-radius:6px}
#cases{list-style:none;padding:0} #cases li{margin:.5rem 0}
a.case{display:block;background:#fff;border:1px solid #d0d7de;border-radius:8px;
 padding:.6rem;text-decoration:none;color:inherit}
#transcript{list-style:none;padding:0}
.message{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.4rem .6rem;
 margin:.4rem 0;max-width:85%}
.message.user{margin-right:auto} .message.bot{margin-left:auto;background:#eef2ff}
.message.agent{margin-left:auto;background:#e6f4ea}
.message p{margin:.2rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
.failed{color:#b42318;font-size:.85rem}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem}
button{font:inherit;padding:.6rem 1rem;margin:.4rem 0;border-radius:6px;border:1px solid #888}
button#send{background:#1f883d;color:#fff} button#resume{background:#fff}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:0} dt{font-weight:600}
"""

# Refreshes the transcript every 5 s from messages.json; the page works without it.
SCRIPT = """
(function () {
  var list = document.getElementById('transcript'), last = '';
  function item(m) {
    var li = document.createElement('li'), head = document.createElement('span');
    var p = document.createElement('p');
    li.className = 'message ' + m.author;
    head.className = 'muted'; head.textContent = m.who + ' · ' + m.time;
    p.textContent = m.body; li.appendChild(head); li.appendChild(p);
    if (m.error) { var f = document.createElement('span'); f.className = 'failed';
      f.textContent = 'No entregado: ' + m.error; li.appendChild(f); }
    return li;
  }
  function refresh() {
    fetch(list.dataset.src, {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        if (d.status !== 'open') { location.reload(); return; }
        var key = JSON.stringify(d.messages);
        if (key === last) return;
        last = key; list.replaceChildren.apply(list, d.messages.map(item));
      }).catch(function () {});
  }
  setInterval(refresh, 5000);
})();
"""


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def local_time(moment: Optional[datetime], tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m %H:%M") if moment else ""


def ago(moment: Optional[datetime], now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "hace un momento"
    if minutes < 60:
        return f"hace {minutes} min"
    if minutes < 24 * 60:
        return f"hace {minutes // 60} h {minutes % 60} min"
    return f"hace {minutes // (24 * 60)} d"


def _parse(at: Any) -> Optional[datetime]:
    if isinstance(at, datetime) or at is None:
        return at
    try:
        return datetime.fromisoformat(str(at))
    except ValueError:
        return None


def timeline(case: Dict[str, Any], tz: tzinfo) -> List[Dict[str, Any]]:
    """The transcript up to the handoff, then the messages since: author, who, body,
    at (ISO, business time zone), time (short), error (a failed send)."""
    name = case.get("profile_name") or AUTHORS["user"]
    entries = [(t.get("author"), t.get("text"), _parse(t.get("at")), None)
               for t in case.get("transcript") or []]
    entries += [(m.get("author") or ("user" if m.get("direction") == "in" else "bot"),
                 m.get("body"), m.get("created_at"),
                 (m.get("error") or "sin detalle") if m.get("status") == "failed" else None)
                for m in case.get("messages") or []]
    rows = []
    for author, body, at, error in entries:
        author = author if author in AUTHORS else "bot"
        rows.append({
            "author": author, "who": name if author == "user" else AUTHORS[author],
            "body": body or "", "at": at.astimezone(tz).isoformat() if at else None,
            "time": local_time(at, tz), "error": error,
        })
    return rows


def layout(title: str, body: str, agent: str = "", nonce: str = "", script: str = "") -> str:
    who = f'<span class="muted">Conectado como {e(agent)}</span>' if agent else ""
    js = f'<script nonce="{e(nonce)}">{script}</script>' if script else ""
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        '<header><nav><a href="/agent/">Casos abiertos</a> · '
        f'<a href="/agent/today">Citas de hoy</a></nav>{who}</header>'
        f"{body}{js}</body></html>"
    )


def case_list(cases: List[Dict[str, Any]], now: datetime, tz: tzinfo,
              notice: Optional[str] = None, agent: str = "") -> str:
    items = []
    for case in cases:
        goal = (case.get("summary") or {}).get("goal")
        language = language_label(case)
        items.append(
            f'<li><a class="case" href="/agent/cases/{int(case["id"])}">'
            f'<strong>{e(case.get("profile_name") or "Sin nombre")}</strong> '
            f'<span class="muted">{e(case["phone"])}</span><br>'
            f"{e(REASONS.get(case.get('reason'), case.get('reason')))}"
            f"{' · Quería ' + e(goal) if goal else ''}"
            f"{' · ' + e(language) if language else ''}<br>"
            f'<span class="muted">Abierto {e(ago(case.get("created_at"), now))} · '
            f'última actividad {e(ago(case.get("updated_at"), now))}</span></a></li>'
        )
    listing = (f'<ul id="cases">{"".join(items)}</ul>' if items else
               '<ul id="cases"></ul><p class="empty">No hay casos abiertos. '
               "Cuando alguien pida hablar con una persona, aparecerá aquí.</p>")
    body = (f'{_notice(notice)}<h1>Casos abiertos ({len(cases)})</h1>{listing}'
            f'<p class="muted">Actualizado {e(local_time(now, tz))}. '
            '<a href="/agent/">Recargar</a></p>')
    return layout("Casos abiertos", body, agent)


def language_label(case: Dict[str, Any]) -> str:
    """'Habla inglés' for a conversation in another language than Spanish, else ''."""
    language = (case.get("summary") or {}).get("language") or "es"
    return "" if language == "es" else f"Habla {LANGUAGE_NAMES.get(language, language)}"


def _notice(notice: Optional[str]) -> str:
    return f'<p class="notice" role="status">{e(notice)}</p>' if notice else ""


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _message(row: Dict[str, Any]) -> str:
    failed = f'<span class="failed">No entregado: {e(row["error"])}</span>' if row["error"] else ""
    return (f'<li class="message {row["author"]}"><span class="muted">{e(row["who"])} · '
            f'{e(row["time"])}</span><p>{e(row["body"])}</p>{failed}</li>')


def case_page(case: Dict[str, Any], now: datetime, tz: tzinfo, notice: Optional[str] = None,
              agent: str = "", nonce: str = "") -> str:
    case_id = int(case["id"])
    summary = case.get("summary") or {}
    slots = "".join(f"<dt>{e(SLOT_LABELS.get(k, k))}</dt><dd>{e(_value(v))}</dd>"
                    for k, v in (summary.get("slots") or {}).items())
    is_open = case.get("status") == "open"
    how = "por inactividad" if case.get("closed_by") == "timeout" else "devuelto al asistente"
    status = ("Abierto: el asistente está en pausa y tú respondes." if is_open else
              '<strong class="closed">Caso cerrado</strong> '
              f'{e(local_time(case.get("closed_at"), tz))} ({how}).')
    goal = f'Quería {e(summary["goal"])}' if summary.get("goal") else "Sin trámite en curso."
    language = language_label(case) or "Habla español"
    rows = timeline(case, tz)
    transcript = "".join(_message(r) for r in rows) or '<li class="muted">Sin mensajes.</li>'
    forms = (
        f'<form method="post" action="/agent/cases/{case_id}/reply">'
        '<label for="text"><h2>Responder por WhatsApp</h2></label>'
        '<textarea id="text" name="text" rows="4" required></textarea>'
        '<button id="send" type="submit">Enviar</button></form>'
        f'<form method="post" action="/agent/cases/{case_id}/resume">'
        '<p class="muted">Cuando termines, devuelve la conversación: el asistente le avisará '
        'al cliente y volverá a responder.</p>'
        '<button id="resume" type="submit">Devolver al asistente</button></form>'
    ) if is_open else ""
    body = (
        f'{_notice(notice)}<h1>Caso #{case_id}: {e(case.get("profile_name") or "Sin nombre")}</h1>'
        f'<p>{e(case["phone"])}<br>{e(REASONS.get(case.get("reason"), case.get("reason")))} · '
        f'abierto {e(local_time(case.get("created_at"), tz))} '
        f'({e(ago(case.get("created_at"), now))})<br><span id="status">{status}</span></p>'
        f'<h2>Resumen</h2><p>{goal}<br><span id="language">{e(language)}</span></p>'
        f'{"<dl>" + slots + "</dl>" if slots else ""}'
        f'<h2>Conversación</h2><ol id="transcript" data-src="/agent/cases/{case_id}/messages.json">'
        f"{transcript}</ol>{forms}"
    )
    return layout(f"Caso #{case_id}", body, agent, nonce, SCRIPT if is_open else "")


def error_page(title: str, message: str, back: str = "/agent/", detail: Optional[str] = None,
               agent: str = "") -> str:
    extra = f'<p class="muted">Detalle: {e(detail)}</p>' if detail else ""
    body = (f'<h1>{e(title)}</h1><p class="error" role="alert">{e(message)}</p>{extra}'
            f'<p><a href="{e(back)}">Volver</a></p>')
    return layout(title, body, agent)
