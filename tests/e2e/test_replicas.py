"""Two Rasa replicas (and two action servers) behind one address, sharing Redis and the
database, like scripts/run_replicas.sh: a conversation whose turns alternate between
them keeps its context and its order; a replica stopped with SIGTERM finishes its turn."""
from __future__ import annotations

import signal
import sys
import time
import uuid

import pytest
import requests

from appointments.adapters.sql.database import create_database_engine
from appointments.adapters.sql.message_log import SqlMessageLog
from tests.e2e import servers
from tests.e2e.twilio_client import post
from tests.e2e.test_whatsapp import CODE


class Replicas:
    def __init__(self, url: str, rasa_b: servers.Server, rasa_urls: dict):
        self.url, self.rasa_b, self.rasa_urls = url, rasa_b, rasa_urls

    def say(self, stack, phone: str, body: str, replies_before: int):
        """Post through the balancer; return (which replica answered, the bot's replies)."""
        response = post(stack, phone, body, base_url=self.url)
        assert response.status_code == 200, response.text
        stack.twilio.wait_for(phone, replies_before + 1)
        time.sleep(0.3)
        return self.rasa_urls[response.headers["X-Upstream"]], stack.twilio.to(phone)[replies_before:]


@pytest.fixture(scope="module")
def replicas(stack):
    logs = stack.logs
    action_port, rasa_port, front_port = servers.free_port(), servers.free_port(), servers.free_port()
    env = dict(stack.env, ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook")
    rasa_b = servers.rasa_server(rasa_port, servers.ROOT / "models" / "citas.tar.gz",
                                 stack.token, env, logs / "rasa-b.log")
    balancer = servers.Server(
        "balancer",
        [sys.executable, "scripts/demo_balancer.py", "--port", str(front_port),
         stack.rasa_url, f"http://127.0.0.1:{rasa_port}"],
        env, f"http://127.0.0.1:{front_port}/", logs / "balancer.log",
    )
    started = []
    try:
        for server in (servers.action_server(action_port, env, logs / "actions-b.log"),
                       rasa_b, balancer):
            started.append(server.start())
        yield Replicas(f"http://127.0.0.1:{front_port}", rasa_b,
                       {stack.rasa_url: "A", f"http://127.0.0.1:{rasa_port}": "B"})
    finally:
        for server in reversed(started):
            server.stop()


def test_a_booking_alternating_between_replicas_keeps_its_context(stack, replicas, phone):
    sent, served = 0, []
    for body, expected in (("hola", "¡Hola!"), ("1", "¿Para qué día"), ("1", "Horarios libres el"),
                           ("cualquiera", "¿Confirmas tu cita"), ("sí", "Listo")):
        replica, replies = replicas.say(stack, phone, body, sent)
        sent += len(replies)
        served.append(replica)
        assert any(expected in reply for reply in replies), (body, replies)
    code = CODE.search(stack.twilio.to(phone)[-1]).group(1)
    assert served == ["A", "B", "A", "B", "A"] or served == ["B", "A", "B", "A", "B"]
    replica, replies = replicas.say(stack, phone, "mis citas", sent)
    assert code in replies[0]


def test_a_burst_across_replicas_is_answered_in_order_without_interleaving(stack, replicas, phone):
    bodies = ["hola", "mis citas", "menú"] * 3
    served, sids = [], [f"SM{n:02d}{uuid.uuid4().hex[:30]}" for n in range(len(bodies))]
    for body, sid in zip(bodies, sids):  # posted back to back: no waiting for the replies
        response = post(stack, phone, body, sid=sid, base_url=replicas.url)
        assert response.status_code == 200
        served.append(replicas.rasa_urls[response.headers["X-Upstream"]])
    assert set(served) == {"A", "B"}
    stack.twilio.wait_for(phone, 2 * len(bodies), timeout=60)
    time.sleep(1.0)
    # The line handled the messages in the order they were sent (the message log keeps
    # every one; the tracker only the session's last turns)...
    log = SqlMessageLog(create_database_engine(stack.database_url)).conversation(phone)
    assert [m["message_sid"] for m in log if m["direction"] == "in"] == sids
    events = stack.tracker(phone)["events"]
    kept = [e["metadata"]["MessageSid"] for e in events if e["event"] == "user"]
    assert len(kept) >= 8 and kept == sids[-len(kept):]
    # ...and each turn's replies went out before the next turn's, in the tracker's order.
    said = [e["text"] for e in events if e["event"] == "bot"]
    delivered = stack.twilio.to(phone)[-len(said):]
    assert len(said) >= len(kept)
    for bot_text, body in zip(said, delivered):
        assert body.startswith(bot_text.split("\n")[0][:30]), (bot_text, body)


def test_sigterm_lets_the_turn_under_way_finish(stack, replicas, phone):
    b = next(url for url, name in replicas.rasa_urls.items() if name == "B")
    assert post(stack, phone, "hola", base_url=b).status_code == 200
    replicas.rasa_b.process.send_signal(signal.SIGTERM)  # right after Twilio's answer
    greeting, menu = stack.twilio.wait_for(phone, 2, timeout=30)
    assert greeting.startswith("¡Hola!") and "1. Crear una cita" in menu
    assert replicas.rasa_b.process.wait(timeout=30) == 0
    # The balancer skips the stopped replica: the conversation goes on at A.
    response = post(stack, phone, "mis citas", base_url=replicas.url)
    assert response.status_code == 200
    [answer] = stack.twilio.wait_for(phone, 3)[2:]
    assert answer.startswith("No tienes citas próximas")
