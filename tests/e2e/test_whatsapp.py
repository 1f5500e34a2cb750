"""The WhatsApp channel over real HTTP: signed Twilio webhooks into the real Rasa server,
replies out to a local fake of Twilio's REST API."""
import re
import time
import uuid

import pytest
import requests
from sqlalchemy import select

from appointments.adapters.sql.database import create_database_engine
from appointments.adapters.sql.tables import messages
from appointments.domain.phones import normalize_phone

from tests.e2e import servers
from tests.e2e.conftest import PUBLIC_URL
from tests.e2e.twilio_client import VALIDATOR, converse, post

CODE = re.compile(r"\*([A-Z][2-9][A-Z]-[2-9][A-Z]{2})\*")


def test_signed_hola_is_acknowledged_at_once_and_answered(stack, phone):
    begin = time.perf_counter()
    reply = post(stack, phone, "¡Hola!")
    assert reply.status_code == 200 and "<Response>" in reply.text
    assert time.perf_counter() - begin < 2.0  # the turn itself runs after the answer
    greeting, menu = stack.twilio.wait_for(phone, 2)[:2]
    assert greeting.startswith("¡Hola!")  # "¡" survives the trip
    assert menu.count("1. Crear una cita") == 1  # the menu's buttons are not listed twice
    assert stack.twilio.sent[-1]["From"] == "whatsapp:+14155238886"


@pytest.mark.parametrize(
    "signature, sign_url",
    [("forged-signature", None), ("", None), (None, "https://attacker.example.com/whatsapp-reply")],
    ids=["forged", "missing", "wrong-url"],
)
def test_unsigned_or_forged_requests_are_refused(stack, phone, signature, sign_url):
    reply = post(stack, phone, "hola", signature=signature, sign_url=sign_url)
    assert reply.status_code == 403
    time.sleep(1.5)
    assert stack.twilio.to(phone) == []


def test_the_rasa_style_route_works_too(stack, phone):
    assert post(stack, phone, "hola", path="/webhooks/whatsapp/webhook").status_code == 200
    assert len(stack.twilio.wait_for(phone, 2)) == 2
    assert requests.get(stack.rasa_url + "/webhooks/whatsapp/", timeout=5).json() == {"status": "ok"}


def test_a_redelivered_message_is_processed_once(stack, phone):
    sid = f"SM{uuid.uuid4().hex}"
    assert post(stack, phone, "hola", sid=sid).status_code == 200
    assert post(stack, phone, "hola", sid=sid).status_code == 200
    stack.twilio.wait_for(phone, 2)
    time.sleep(2)
    assert len(stack.twilio.to(phone)) == 2


def test_replies_keep_the_order_of_the_messages(stack, phone):
    for body in ("hola", "mis citas", "menú"):
        assert post(stack, phone, body).status_code == 200
    bodies = stack.twilio.wait_for(phone, 4)
    assert bodies[0].startswith("¡Hola!")
    assert "1. Crear una cita" in bodies[1]
    assert bodies[2].startswith("No tienes citas próximas")
    assert "1. Crear una cita" in bodies[3]


def test_book_and_cancel_over_whatsapp_with_numbers(stack, phone):
    sent = 0
    for body in ("1", "1", "cualquiera"):
        replies = converse(stack, phone, body, sent)
        sent += len(replies)
    assert "¿Confirmas tu cita" in replies[-1] and "1. Sí, confirmar" in replies[-1]
    replies = converse(stack, phone, "1", sent)  # "1" picks the "Sí" button
    sent += len(replies)
    code = CODE.search(replies[-1]).group(1)

    replies = converse(stack, phone, "2", sent)  # the only appointment: no list to pick from
    sent += len(replies)
    assert "¿Cancelo tu cita del" in replies[-1] and code in replies[-1]
    replies = converse(stack, phone, "sí", sent)
    assert "fue cancelada" in replies[-1]

    engine = create_database_engine(stack.database_url)
    with engine.connect() as connection:
        logged = connection.execute(
            select(messages.c.direction, messages.c.body)
            .where(messages.c.phone == normalize_phone(phone))
            .order_by(messages.c.id)
        ).all()
    engine.dispose()
    assert [body for direction, body in logged if direction == "in"] == ["1", "1", "cualquiera", "1", "2", "sí"]
    assert sum(direction == "out" for direction, _ in logged) == len(stack.twilio.to(phone))


def test_a_typed_intent_payload_reaches_nlu_as_plain_text(stack, phone):
    converse(stack, phone, '/cancel_appointment{"appointment_code": "K7P-3QX"}', 0)
    tracker = requests.get(f"{stack.rasa_url}/conversations/{phone}/tracker",
                           headers=servers.api_headers(stack.token), timeout=10).json()
    [said] = [e for e in tracker["events"] if e["event"] == "user"]
    assert said["text"] == 'cancel_appointment{"appointment_code": "K7P-3QX"}'
    assert said["metadata"]["ProfileName"] == "Ana"


def test_a_photo_without_text_gets_a_polite_answer_and_is_logged(stack, phone):
    params = {"From": phone, "Body": "", "MessageSid": f"SM{uuid.uuid4().hex}", "NumMedia": "1",
              "MediaUrl0": "https://api.twilio.com/media/ME1", "MediaContentType0": "image/jpeg"}
    signature = VALIDATOR.compute_signature(PUBLIC_URL + "/whatsapp-reply", params)
    reply = requests.post(stack.rasa_url + "/whatsapp-reply", data=params,
                          headers={"X-Twilio-Signature": signature}, timeout=10)
    assert reply.status_code == 200
    [answer] = stack.twilio.wait_for(phone, 1)
    assert "solo puedo leer mensajes de texto" in answer
    engine = create_database_engine(stack.database_url)
    with engine.connect() as connection:
        media = connection.execute(
            select(messages.c.media)
            .where(messages.c.phone == normalize_phone(phone), messages.c.direction == "in")
        ).scalar_one()
    engine.dispose()
    assert "image/jpeg" in media


def test_status_callbacks_update_the_message_log(stack, phone):
    post(stack, phone, "hola")
    stack.twilio.wait_for(phone, 2)
    time.sleep(0.5)
    engine = create_database_engine(stack.database_url)
    with engine.connect() as connection:
        sid = connection.execute(
            select(messages.c.message_sid)
            .where(messages.c.phone == normalize_phone(phone), messages.c.direction == "out")
        ).first()[0]
    path = "/webhooks/whatsapp/status"
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    forged = requests.post(stack.rasa_url + path, data=params,
                           headers={"X-Twilio-Signature": "nope"}, timeout=10)
    assert forged.status_code == 403
    signature = VALIDATOR.compute_signature(PUBLIC_URL + path, params)
    signed = requests.post(stack.rasa_url + path, data=params,
                           headers={"X-Twilio-Signature": signature}, timeout=10)
    assert signed.status_code == 204
    with engine.connect() as connection:
        status = connection.execute(
            select(messages.c.status).where(messages.c.message_sid == sid)
        ).scalar_one()
    engine.dispose()
    assert status == "delivered"
