"""Fuzzing the WhatsApp webhook over real HTTP (hypothesis), against the real stack.

(a) Signed posts whose Body is any Unicode (up to 6,000 characters), with random or
    malformed NumMedia, MediaUrl0, ProfileName and extra fields: 200 and TwiML; and
    every such message is answered (not with "try again later", which means the turn
    failed) and is in the message log as it was sent (NUL shown as U+FFFD).
(b) Raw malformed bodies (random bytes, invalid UTF-8, broken percent-encoding, 1 MB,
    wrong or no Content-Type, no From), signed or not: never a 5xx; unsigned is 403.
(c) Afterwards a normal signed "hola" is still acknowledged and answered in the usual time.
The check that every message of (a) was answered and logged runs last, once their turns
are done.

Only HTTP: the channel's code is not imported. A request is signed the way Twilio signs
it: over the public URL and the form parameters it posts (urllib's parse_qsl of the body
is what a form decoder reads from it).
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import parse_qsl

import pytest
import requests
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from appointments.adapters.sql.database import create_database_engine
from appointments.adapters.sql.tables import messages
from appointments.domain.phones import normalize_phone
from appointments.domain.response_texts import variation_text
from tests.e2e.conftest import PUBLIC_URL, TWILIO_NUMBER
from tests.e2e.twilio_client import VALIDATOR
from tests.e2e.webhook_fuzz_inputs import (
    ANY_CHAR, BODY, CONTENT_TYPES, EXTRAS, MEDIA_URL, NUM_MEDIA, RAW_BODIES, SHORT_TEXT, optional,
)

PATHS = ("/whatsapp-reply", "/webhooks/whatsapp/webhook")
RESPONSES = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())["responses"]
TRY_AGAIN = variation_text(RESPONSES["utter_try_again_later"], "es")
MEGABYTE = 1024 * 1024

FUZZ = settings(
    deadline=None,
    database=None,  # leave no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.too_slow],  # each example is an HTTP request
)


def new_sender() -> str:
    """A different sender per example: no rate limit, no conversation state shared."""
    return f"whatsapp:+52199{uuid.uuid4().int % 10**8:08d}"


def signature(path: str, params: Dict[str, str]) -> str:
    return VALIDATOR.compute_signature(PUBLIC_URL + path, params)


def shown(text: str, limit: int = 300) -> str:
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"


# --- (a) signed posts with random fields ------------------------------------------------
def test_signed_messages_with_random_fields_are_answered_and_logged(stack):
    """Each signed post with random fields gets 200 at once; afterwards every one of them
    was answered (none with "try again later") and is in the message log as sent."""
    fuzzed: Dict[str, str] = {}  # sender -> what it sent

    @settings(FUZZ, max_examples=50)
    @given(
        path=st.sampled_from(PATHS),
        body=BODY,
        num_media=optional(NUM_MEDIA),
        media_url=optional(MEDIA_URL),
        profile=optional(st.one_of(SHORT_TEXT, st.text(ANY_CHAR, max_size=2000))),
        extras=EXTRAS,
    )
    @example(path=PATHS[0], body="\x00", num_media="0", media_url=None, profile="Ana", extras={})
    @example(path=PATHS[0], body="🙏" * 1600, num_media="²", media_url="\x00",
             profile="\u202eanA", extras={"Latitude": "nan", "Longitude": "-inf"})
    @example(path=PATHS[1], body="", num_media="99999999999999999999999",
             media_url="https://" + "a" * 3000 + ".com", profile="", extras={"MediaUrl1": "x"})
    @example(path=PATHS[0], body=" ", num_media="-1", media_url=None, profile=None,
             extras={"WaId": "\x00", "ButtonPayload": "/restart"})
    def post_one(path, body, num_media, media_url, profile, extras):
        phone = new_sender()
        params = {
            "From": phone, "To": TWILIO_NUMBER, "Body": body,
            "MessageSid": f"SM{uuid.uuid4().hex}",  # as Twilio's; unique, so no redelivery
            **extras,
        }
        for name, value in (("NumMedia", num_media), ("MediaUrl0", media_url),
                            ("ProfileName", profile)):
            if value is not None:
                params[name] = value
        reply = requests.post(
            stack.rasa_url + path, data=params,
            headers={"X-Twilio-Signature": signature(path, params)}, timeout=30,
        )
        assert reply.status_code == 200, (reply.status_code, reply.text[:500])
        assert reply.headers.get("Content-Type", "").startswith("text/xml"), reply.headers
        assert "<Response>" in reply.text, reply.text[:500]
        fuzzed[phone] = body

    post_one()
    wait_for_answers(stack, fuzzed)
    check_answered_and_logged(stack, fuzzed)


# --- (b) raw malformed bodies -------------------------------------------------------------

def twilio_params(raw: bytes) -> Optional[Dict[str, str]]:
    """The form parameters a form decoder reads from `raw` (None: not UTF-8 at all)."""
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None


@settings(FUZZ, max_examples=60)
@given(
    path=st.sampled_from(PATHS),
    raw=RAW_BODIES,
    content_type=CONTENT_TYPES,
    signing=st.sampled_from(["signed", "unsigned", "forged"]),
)
@example(path=PATHS[0], raw=b"a" * MEGABYTE, content_type=None, signing="unsigned")
@example(path=PATHS[0], raw=b"Body=" + b"%F1" * (MEGABYTE // 3),
         content_type="application/x-www-form-urlencoded", signing="signed")
@example(path=PATHS[0], raw=b"From=whatsapp%3A%2B5215599990001&Body=" + b"a" * MEGABYTE,
         content_type="application/x-www-form-urlencoded", signing="signed")
@example(path=PATHS[1], raw=bytes(range(256)) * (MEGABYTE // 256), content_type="text/plain",
         signing="signed")
@example(path=PATHS[0], raw=b"Body=hola&To=whatsapp%3A%2B14155238886",
         content_type="application/x-www-form-urlencoded", signing="signed")
@example(path=PATHS[0], raw=b'{"From": "whatsapp:+5215599990002", "Body": "hola"}',
         content_type="application/json", signing="signed")
def test_malformed_bodies_never_get_a_server_error(stack, path, raw, content_type, signing):
    headers = {} if content_type is None else {"Content-Type": content_type}
    params = twilio_params(raw)
    if signing == "signed":
        headers["X-Twilio-Signature"] = signature(path, params or {})
    elif signing == "forged":
        headers["X-Twilio-Signature"] = signature("/elsewhere", params or {})
    reply = requests.post(stack.rasa_url + path, data=raw, headers=headers, timeout=60)
    assert reply.status_code < 500, (reply.status_code, reply.text[:500])
    if signing != "signed":  # refused: too large or not a form (checked first), or forged
        assert reply.status_code in (403, 413, 415), (reply.status_code, reply.text[:500])
    if reply.status_code == 200:
        assert "<Response>" in reply.text, reply.text[:500]


# --- (c) the server is still fine -------------------------------------------------------

def wait_for_answers(stack, fuzzed: Dict[str, str], timeout: float = 90.0) -> None:
    """Until every sender has had an answer (or `timeout`), and a second more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(stack.twilio.to(p) for p in fuzzed):
        time.sleep(0.2)
    time.sleep(1.0)  # a turn may send several messages


def test_a_normal_hola_is_still_answered_in_the_usual_time(stack):
    phone = new_sender()
    params = {"From": phone, "To": TWILIO_NUMBER, "Body": "hola",
              "MessageSid": f"SM{uuid.uuid4().hex}", "NumMedia": "0", "ProfileName": "Ana"}
    begin = time.perf_counter()
    reply = requests.post(stack.rasa_url + PATHS[0], data=params,
                          headers={"X-Twilio-Signature": signature(PATHS[0], params)}, timeout=10)
    assert reply.status_code == 200 and "<Response>" in reply.text
    assert time.perf_counter() - begin < 2.0  # as in test_whatsapp.py
    replies = stack.twilio.wait_for(phone, 2)  # the usual 30 s at most
    assert len(replies) >= 2, replies
    assert replies[0].startswith("¡Hola!")
    assert "1. Crear una cita" in replies[1]


# --- (a), afterwards: every message answered and logged -----------------------------

def logged_inbound(stack, phones: List[str]) -> Dict[str, List[str]]:
    """The bodies logged inbound, by phone as sent (the log stores the normal form)."""
    sent_as = {normalize_phone(phone): phone for phone in phones}
    engine = create_database_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(messages.c.phone, messages.c.body)
                .where(messages.c.phone.in_(list(sent_as)), messages.c.direction == "in")
            ).all()
    finally:
        engine.dispose()
    found: Dict[str, List[str]] = {}
    for phone, body in rows:
        found.setdefault(sent_as[phone], []).append(body)
    return found


def offenders(bodies: List[str]) -> str:
    """Shortest first: the first one is the smallest example found."""
    return "".join(f"\n    Body={shown(body)}" for body in sorted(bodies, key=len)[:10])


def check_answered_and_logged(stack, fuzzed: Dict[str, str]) -> None:
    unanswered = [body for phone, body in fuzzed.items() if not stack.twilio.to(phone)]
    failed = [body for phone, body in fuzzed.items() if TRY_AGAIN in stack.twilio.to(phone)]
    logged = logged_inbound(stack, list(fuzzed))
    # PostgreSQL text cannot hold NUL: the log keeps the rest, with U+FFFD in its place.
    not_logged = [body for phone, body in fuzzed.items()
                  if logged.get(phone) != [body.replace("\x00", "\ufffd")]]
    problems = [
        f"{len(found)} of {len(fuzzed)} messages {what}:{offenders(found)}"
        for what, found in (("never answered", unanswered), ("turns failed", failed),
                            ("not in the message log as sent", not_logged))
        if found
    ]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
