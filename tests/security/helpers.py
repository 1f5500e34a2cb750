"""Small helpers the security tests share: REST and webhook calls, seeding, trackers,
agent accounts made by scripts/agent_add.py."""
from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import quote

import requests
from twilio.request_validator import RequestValidator

from appointments.domain import SlotUnavailable
from appointments.domain.codes import generate_code
from appointments.domain.appointment import BOOKED, Appointment
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from tests.conftest import TZ
from tests.e2e import servers
from tests.security.conftest import PUBLIC_URL, TWILIO_AUTH_TOKEN

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)  # the stack's NLU_REFERENCE_TIME
ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {"ana": "ana-clave-larga-2026", "luis": "luis-tiene-otra-clave"}  # agent accounts


def whatsapp_phone() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


def rest(stack: Any, sender: str, text: str, headers: Optional[Dict[str, str]] = None,
         **extra: Any) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                         json={"sender": sender, "message": text, **extra},
                         headers=headers or {}, timeout=60)


def repository(stack: Any) -> SqlAppointmentRepository:
    return _repository(stack.database_url)


@functools.lru_cache(maxsize=None)
def _repository(database_url: str) -> SqlAppointmentRepository:
    """One engine per database for the whole session, not one per call."""
    engine = create_database_engine(database_url)
    create_schema(engine)
    return SqlAppointmentRepository(engine, TZ)


def seed(stack: Any, phone: str) -> str:
    """Book a free weekday slot for `phone` straight in the database; its code."""
    for _ in range(50):
        start = (NOW + timedelta(days=random.randint(1, 25))).replace(
            hour=random.randint(9, 16), minute=random.choice((0, 30)))
        if start.weekday() > 4:
            continue
        try:
            return repository(stack).add(Appointment(
                code=generate_code(), phone=phone, start=start,
                end=start + timedelta(minutes=30), status=BOOKED, created_at=NOW,
            )).code
        except SlotUnavailable:
            continue
    raise AssertionError("no free slot to seed")


def booked_codes(stack: Any, phone: str) -> set:
    return {a.code for a in repository(stack).booked_for_phone(phone, NOW)}


def tracker(stack: Any, sender: str) -> Dict[str, Any]:
    url = f"{stack.rasa_url}/conversations/{quote(sender, safe=':+')}/tracker"
    reply = requests.get(url, headers=stack.api_headers(), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def user_texts(stack: Any, sender: str) -> list:
    return [e.get("text") for e in tracker(stack, sender)["events"] if e["event"] == "user"]


def twilio_params(phone: str, body: str) -> Dict[str, str]:
    return {"From": phone, "To": "whatsapp:+14155238886", "Body": body,
            "MessageSid": f"SM{uuid.uuid4().hex}", "NumMedia": "0"}


def webhook(stack: Any, params: Dict[str, str], path: str = "/whatsapp-reply",
            sign_url: Optional[str] = None, token: str = TWILIO_AUTH_TOKEN) -> requests.Response:
    signature = RequestValidator(token).compute_signature(sign_url or PUBLIC_URL + path, params)
    return requests.post(stack.rasa_url + path, data=params,
                         headers={"X-Twilio-Signature": signature}, timeout=10)


def agent_add(name: str, password: str, accounts_file: Path, *extra: str, umask=None):
    env = servers.base_env(AGENT_ACCOUNTS_FILE=str(accounts_file), AGENT_ACCOUNTS="")
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "agent_add.py"), name, *extra],
        input=password + "\n", capture_output=True, text=True, env=env, timeout=60,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )
