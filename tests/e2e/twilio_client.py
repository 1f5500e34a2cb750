"""Play Twilio: signed WhatsApp webhooks to the real Rasa server."""
import time
import uuid

import requests
from twilio.request_validator import RequestValidator

from tests.e2e.conftest import PUBLIC_URL, TWILIO_AUTH_TOKEN

VALIDATOR = RequestValidator(TWILIO_AUTH_TOKEN)


def post(stack, phone, body, path="/whatsapp-reply", signature=None, sid=None, sign_url=None,
         base_url=None):
    """POST a WhatsApp message as Twilio would, signed unless `signature` says otherwise;
    to the Rasa server, or to `base_url` (a load balancer in front of replicas)."""
    params = {"From": phone, "To": "whatsapp:+14155238886", "Body": body,
              "MessageSid": sid or f"SM{uuid.uuid4().hex}", "NumMedia": "0",
              "ProfileName": "Ana"}
    if signature is None:
        signature = VALIDATOR.compute_signature(sign_url or PUBLIC_URL + path, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return requests.post((base_url or stack.rasa_url) + path, data=params, headers=headers,
                         timeout=10)


def converse(stack, phone, body, replies_before, base_url=None):
    """Send one signed message and wait for the bot's next reply to arrive at 'Twilio'."""
    assert post(stack, phone, body, base_url=base_url).status_code == 200
    stack.twilio.wait_for(phone, replies_before + 1)
    time.sleep(0.3)  # a turn may send several messages
    return stack.twilio.to(phone)[replies_before:]
