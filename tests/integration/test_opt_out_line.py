"""Opting out and back in through the WhatsApp channel's line (real Redis, the database
on SQLite and PostgreSQL, Twilio's API faked locally, Rasa replaced by a recorder): a
message that is only "BAJA" / "ALTA" is recorded and answered by the channel and never
reaches Rasa; "cancelar mi cita" goes to Rasa as before. And a send refused with
Twilio's 21610 opts the recipient out."""
from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime, timezone

import pytest
import redis
import yaml

from appointments.adapters.sql.contact_preferences import SqlContactPreferences
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.twilio import TwilioSender
from appointments.domain.response_texts import variation_text
from appointments.rasa.channels.whatsapp import WhatsAppChannel
from appointments.services.contact import can_message, record_send_result
from appointments.settings import PROJECT_ROOT, Settings

from tests.fakes.twilio_api import FakeTwilio

REDIS_URL = "redis://127.0.0.1:6379/12"
TWILIO_NUMBER = "whatsapp:+14155238886"
LEGACY, NORMAL = "whatsapp:+5215512340001", "whatsapp:+525512340001"
RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
OPTED_OUT = variation_text(RESPONSES["utter_opted_out"], "es")
OPTED_IN = variation_text(RESPONSES["utter_opted_in"], "es")
TRY_AGAIN = variation_text(RESPONSES["utter_try_again_later"], "es")


class RecordingRasa:
    """Rasa's on_new_message: notes what reached it and answers."""

    def __init__(self) -> None:
        self.heard: list = []

    async def __call__(self, message) -> None:
        self.heard.append((message.sender_id, message.text))
        await message.output_channel.send_response(message.sender_id,
                                                   {"text": "respuesta de Rasa"})


class Line:
    """A WhatsApp channel as Rasa builds it, its turns on their worker thread."""

    def __init__(self, engine, twilio: FakeTwilio, preferences=None) -> None:
        self.prefix = f"test{uuid.uuid4().hex[:8]}"
        settings = Settings.from_env({**os.environ, "REDIS_URL": REDIS_URL,
                                      "REDIS_KEY_PREFIX": self.prefix})
        self.sender = TwilioSender("ACtest", "token", TWILIO_NUMBER, base_url=twilio.url,
                                   backoff_seconds=0.01)
        self.log = SqlMessageLog(engine)
        self.preferences = SqlContactPreferences(engine)
        cases = SqlHandoffRepository(engine)
        self.channel = WhatsAppChannel(settings, lambda: self.sender, lambda: self.log,
                                       lambda: cases, preferences or (lambda: self.preferences))
        self.rasa = RecordingRasa()

    def say(self, phone: str, body: str) -> None:
        """What the webhook does with a message: into the sender's line, then worked."""
        params = {"From": phone, "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0",
                  "MessageSid": f"SM{uuid.uuid4().hex}"}
        queue = self.channel.queue

        async def turn() -> None:
            await queue.push_once(phone, params["MessageSid"], {"params": params}, 600)
            await self.channel.line.work(self.rasa, phone)

        self.channel.turns.submit(phone, turn)
        assert self.channel.turns.drain(20) == 0

    def close(self) -> None:
        self.channel.turns.submit("-", self.sender.close)
        self.channel.turns.stop()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.prefix}:*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def line(engine, twilio):
    made = Line(engine, twilio)
    yield made
    made.close()


def test_baja_is_recorded_answered_once_and_never_reaches_rasa(line, twilio):
    line.say(LEGACY, "BAJA")
    assert line.preferences.is_opted_out(NORMAL)  # either form of the number
    assert twilio.to_address(LEGACY) == [OPTED_OUT]  # to the address WhatsApp wrote, once
    assert line.rasa.heard == []
    assert [(m["direction"], m["body"]) for m in line.log.conversation(NORMAL)] == [
        ("in", "BAJA"), ("out", OPTED_OUT)]
    assert "*ALTA*" in OPTED_OUT


def test_cancelar_mi_cita_goes_to_rasa_as_before(line, twilio):
    for text in ("cancelar mi cita", "cancelar", "stop cita", "alto, mejor el viernes"):
        line.say(LEGACY, text)
    assert line.rasa.heard == [(LEGACY, "cancelar mi cita"), (LEGACY, "cancelar"),
                               (LEGACY, "stop cita"), (LEGACY, "alto, mejor el viernes")]
    assert twilio.to_address(LEGACY) == ["respuesta de Rasa"] * 4
    assert not line.preferences.is_opted_out(LEGACY)


def test_alta_undoes_baja_and_the_assistant_answers_throughout(line, twilio):
    line.say(LEGACY, "Baja por favor 🙏")
    line.say(NORMAL, "hola")  # WhatsApp may write the other form: still answered
    line.say(LEGACY, "ALTA")
    assert not line.preferences.is_opted_out(NORMAL)
    assert twilio.to_address(LEGACY) == [OPTED_OUT, OPTED_IN]
    assert twilio.to_address(NORMAL) == ["respuesta de Rasa"]
    assert line.rasa.heard == [(NORMAL, "hola")]


def test_when_the_choice_cannot_be_recorded_nothing_is_promised(engine, twilio):
    def broken():
        raise RuntimeError("database down")

    line = Line(engine, twilio, preferences=broken)
    try:
        line.say(LEGACY, "STOP")
    finally:
        line.close()
    assert twilio.to_address(LEGACY) == [TRY_AGAIN]
    assert line.rasa.heard == []


def test_a_send_refused_with_21610_opts_the_recipient_out(engine, twilio):
    preferences = SqlContactPreferences(engine)
    sender = TwilioSender("ACtest", "token", TWILIO_NUMBER, base_url=twilio.url)
    twilio.unsubscribed.add(LEGACY)

    async def send():
        try:
            return await sender.send(LEGACY, "Recordatorio: tu cita es mañana a las 10:00")
        finally:
            await sender.close()

    result = asyncio.run(send())
    assert (result.status, result.error_code) == ("failed", 21610)
    assert can_message(preferences, NORMAL)
    assert record_send_result(preferences, LEGACY, result, datetime.now(timezone.utc))
    assert not can_message(preferences, NORMAL) and not can_message(preferences, LEGACY)
