"""Secrets stay secret: Rasa's HTTP API refuses requests without the token, and after a
handoff (notifiers, console), forged and signed webhooks, no server log of the stack
contains a secret. (Runs late in the e2e session, so the logs hold most of it.)"""
from __future__ import annotations

import requests

from tests.e2e import servers
from tests.e2e.agents import CONNECTING
from tests.e2e.conftest import HANDOFF_SECRET, TWILIO_AUTH_TOKEN
from tests.e2e.twilio_client import converse, post


def test_rasa_http_api_wants_the_token(stack, phone):
    tracker = f"{stack.rasa_url}/conversations/{phone}/tracker"
    assert requests.get(tracker, timeout=10).status_code == 401
    assert requests.get(tracker, headers=servers.api_headers("wrong" * 4), timeout=10).status_code == 401
    # the secret itself is no password: `?token=` (it would land in proxy logs) is off
    assert requests.get(tracker, params={"token": stack.token}, timeout=10).status_code == 401
    assert requests.get(tracker, headers=servers.api_headers(stack.token), timeout=10).status_code == 200
    model = requests.put(f"{stack.rasa_url}/model", json={"model_file": "/etc/passwd"}, timeout=10)
    assert model.status_code == 401


def test_no_secret_reaches_a_log(stack, phone):
    assert post(stack, phone, "hola", signature="forged").status_code == 403
    [connecting] = converse(stack, phone, "quiero hablar con una persona", 0)
    assert connecting.startswith(CONNECTING)
    secrets = {
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "RASA_API_TOKEN": stack.token,
        "AGENT_CONSOLE_TOKEN": stack.console_token,
        "HANDOFF_WEBHOOK_SECRET": HANDOFF_SECRET,
    }
    logs = sorted(stack.logs.glob("*.log"))
    assert {"rasa.log", "actions.log", "console.log"} <= {log.name for log in logs}
    for log in logs:
        text = log.read_text(errors="replace")
        for name, value in secrets.items():
            assert value not in text, f"{name} appears in {log.name}"
