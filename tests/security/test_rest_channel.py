"""Finding 1: anyone could act as any WhatsApp user through the REST channel (list their
appointments with codes, cancel one, pause their bot), skipping the WhatsApp channel's
length cap. REST is now a development channel: local or Bearer-token only, never as a
`whatsapp:+...` sender, messages cut to 1,600 characters."""
from __future__ import annotations

import uuid

import requests

from tests.security.conftest import REST_TOKEN
from tests.security.helpers import (booked_codes, rest, seed, tracker, user_texts,
                                    whatsapp_phone)


def test_rest_cannot_speak_as_a_whatsapp_user(security_stack):
    phone = whatsapp_phone()
    code = seed(security_stack, phone)
    for sender in (phone, phone.replace("whatsapp", "WhatsApp"), " " + phone):
        for text in ("5", "mis citas", "2", "1", "sí", "quiero hablar con una persona"):
            reply = rest(security_stack, sender, text)
            assert reply.status_code == 403, (sender, text, reply.text)
            assert code not in reply.text
    assert booked_codes(security_stack, phone) == {code}
    state = tracker(security_stack, phone)
    assert not [e for e in state["events"] if e["event"] == "user"]
    assert not state["paused"]


def test_rest_through_a_proxy_wants_the_channel_token(security_stack):
    """nginx on the same machine connects from 127.0.0.1: its headers give it away."""
    sender = f"dev-{uuid.uuid4().hex[:8]}"
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        reply = rest(security_stack, sender, "hola", headers={header: "203.0.113.9"})
        assert reply.status_code == 403, (header, reply.text)
    assert not user_texts(security_stack, sender)


def test_rest_from_this_machine_still_serves_development(security_stack):
    reply = rest(security_stack, f"dev-{uuid.uuid4().hex[:8]}", "hola")
    assert reply.status_code == 200
    assert any(message.get("text") for message in reply.json())


def test_rest_cuts_long_messages_and_cannot_pose_as_another_channel(security_stack):
    sender = f"dev-{uuid.uuid4().hex[:8]}"
    reply = rest(security_stack, sender, "hola " * 2000, input_channel="whatsapp")
    assert reply.status_code == 200
    [said] = [e for e in tracker(security_stack, sender)["events"] if e["event"] == "user"]
    assert len(said["text"]) <= 1600
    assert said["input_channel"] == "rest"


def test_rest_refuses_malformed_senders(security_stack):
    url = f"{security_stack.rasa_url}/webhooks/rest/webhook"
    for body in ({"sender": None, "message": "hola"}, {"sender": "x" * 500, "message": "hola"},
                 {"sender": {"a": 1}, "message": "hola"}, {"sender": "dev", "message": [1]},
                 ["sender", "dev"]):
        reply = requests.post(url, json=body, timeout=30)
        assert reply.status_code == 400, (body, reply.text)
    assert requests.post(url, data=b"{not json", timeout=30).status_code == 400


def test_with_a_channel_token_rest_wants_it(stack_b):
    sender = f"dev-{uuid.uuid4().hex[:8]}"
    assert rest(stack_b, sender, "hola").status_code == 401
    assert rest(stack_b, sender, "hola",
                headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    reply = rest(stack_b, sender, "hola", headers={
        "Authorization": f"Bearer {REST_TOKEN}", "X-Forwarded-For": "203.0.113.9"})
    assert reply.status_code == 200 and reply.json()
    phone = whatsapp_phone()
    assert rest(stack_b, phone, "5",
                headers={"Authorization": f"Bearer {REST_TOKEN}"}).status_code == 403
