"""The steps every helpdesk end-to-end test (test_helpdesk_<product>.py) takes the same way
through the real stack (helpdesk_stack.py), whatever the product: the user hands over
and hears that a person will write (or, with the helpdesk down, that the request is
registered), writes while with the agent (one notice from the bot), stays with the agent
while nothing real arrives, is back with the bot after the helpdesk gives the case back;
forged, broken and oversized deliveries refused; the worker's retry and its closing of a
case the user gave back. What the helpdesk shows and how it is answered stay in each
product's module."""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterator, List

import pytest

from appointments.domain.phones import normalize_phone
from tests.e2e.agents import CONNECTING, quiet
from tests.e2e.helpdesk_stack import HelpdeskStack, helpdesk_stack
from tests.e2e.twilio_client import converse, post

HANDOFF = "Una persona del equipo te escribirá por este chat lo antes posible"
QUEUED = "Tu solicitud quedó registrada"
WAITING = "¿Hay alguien ahí? Es sobre mi cita"


def serve_stack(tmp_path_factory, fake: Any) -> Iterator[HelpdeskStack]:
    """For a module's fixture: the stack with HELPDESK set to the fake's product."""
    yield from helpdesk_stack(tmp_path_factory, fake.product, fake.env(), fake=fake)
    fake.stop()


def e164(phone: str) -> str:
    return normalize_phone(phone).split(":", 1)[1]


def open_cases_of(stack: HelpdeskStack, phone: str) -> List[Dict[str, Any]]:
    return [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)]


def hand_over(stack: HelpdeskStack, phone: str) -> List[str]:
    """Greet, ask for a person; the texts the user got."""
    assert len(converse(stack, phone, "hola", 0)) == 2
    return converse(stack, phone, "4", 2)


def handed_over(stack: HelpdeskStack, phone: str) -> None:
    """The user asks for a person and is told one will write here (the helpdesk has it)."""
    [connecting] = hand_over(stack, phone)
    assert connecting.startswith(CONNECTING) and HANDOFF in connecting


def user_writes(stack: HelpdeskStack, phone: str, text: str = WAITING) -> None:
    """The user writes while with the agent: the bot says so once (their 4th text)."""
    assert post(stack, phone, text).status_code == 200
    stack.twilio.wait_for(phone, 4)


def assert_with_the_agent(stack: HelpdeskStack, phone: str) -> None:
    """Nothing more reaches the user and the bot stays paused."""
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True


def assert_back_with_the_bot(stack: HelpdeskStack, phone: str, texts: int) -> None:
    """After the case is given back (the user had `texts` texts): the bot answers again
    and the case is closed here."""
    assert stack.tracker(phone)["paused"] is False
    answer = converse(stack, phone, "hola", texts)
    assert answer and answer[0].startswith("¡Hola")
    assert open_cases_of(stack, phone) == []


def assert_forgeries_refused(fake: Any, url: str, forged: Any, **unauthenticated: Any) -> None:
    """A delivery with another secret is forbidden, one without authentication is
    unauthorized, one that is no JSON a bad request, one too large refused unread."""
    assert fake.send_webhook(url, forged, secret="x" * 20).status_code == 403
    assert fake.send_webhook(url, forged, **unauthenticated).status_code == 401
    assert fake.send_webhook(url, body=b"{no json").status_code == 400
    assert fake.send_webhook(url, body=b"{" + b" " * 300_000 + b"}").status_code == 413


def handed_over_while_down(stack: HelpdeskStack, phone: str,
                           find: Callable[..., Any]) -> Dict[str, Any]:
    """With the helpdesk down: the user is told the request is registered (nobody has it
    yet), the case waits here and not there (`find(e164, timeout=...)` finds nothing), and
    the user writes again. The case."""
    [connecting] = hand_over(stack, phone)
    assert QUEUED in connecting  # honest: nobody has it yet
    [case] = open_cases_of(stack, phone)
    with pytest.raises(AssertionError):
        find(e164(phone), timeout=0.5)
    user_writes(stack, phone, "sigo esperando")
    return case


def worker_retries(stack: HelpdeskStack) -> None:
    time.sleep(1.2)  # HELPDESK_RETRY_SECONDS=1: the retry is due
    stack.run_worker()


def user_goes_back_to_the_bot(stack: HelpdeskStack, phone: str) -> None:
    """The user says "menú"; the worker's next round tells the helpdesk."""
    assert converse(stack, phone, "menú", len(stack.twilio.to(phone)))
    stack.run_worker()
