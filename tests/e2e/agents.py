"""Play the business's staff: read the helpdesk webhook, use the agent console."""
import time

import requests

from appointments.adapters.notifiers import verify_signature
from appointments.domain.phones import normalize_phone

from tests.e2e.conftest import HANDOFF_SECRET

CONNECTING = "Conectando con un agente..."
BACK = "de nuevo estás con el asistente virtual"


def case_webhook(stack, phone, timeout=15.0):
    """The helpdesk webhook sent for `phone`'s case (checked signature included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for request in stack.helpdesk.requests:
            body = request["json"]  # appointment.* notices go to the same webhook
            if body["phone"] == normalize_phone(phone) and body["event"] == "handoff.created":
                signature = request["headers"].get("X-Citas-Signature", "")
                assert verify_signature(request["body"], signature, HANDOFF_SECRET)
                return body
        time.sleep(0.1)
    raise AssertionError(f"no handoff webhook for {phone}")


def quiet(stack, phone, seconds=2.0):
    """What the bot sent `phone` during the next `seconds` (expected: nothing)."""
    before = len(stack.twilio.to(phone))
    time.sleep(seconds)
    return stack.twilio.to(phone)[before:]


def console(stack, method, path, **kwargs):
    return requests.request(method, stack.console_url + path, auth=("Laura", stack.console_token),
                            allow_redirects=False, timeout=20, **kwargs)
