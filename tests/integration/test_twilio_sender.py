"""The Twilio sender against a local fake of Twilio's REST API."""
import asyncio
import json

from appointments.adapters.twilio import TwilioSender

from tests.fakes.twilio_api import FakeTwilio


def send(fake, body="¡Hola! ¿Qué tal? 👋"):
    sender = TwilioSender("ACtest", "token", "whatsapp:+14155238886", base_url=fake.url,
                          backoff_seconds=0.01)

    async def go():
        try:
            return await sender.send("whatsapp:+5215500000000", body)
        finally:
            await sender.close()

    return asyncio.run(go())


def test_a_message_is_sent_intact():
    fake = FakeTwilio()
    result = send(fake)
    assert result.status == "queued" and result.sid.startswith("SM")
    assert fake.sent == [{"To": "whatsapp:+5215500000000", "From": "whatsapp:+14155238886",
                          "Body": "¡Hola! ¿Qué tal? 👋"}]
    fake.stop()


def test_rate_limits_and_server_errors_are_retried():
    fake = FakeTwilio()
    fake.failures = [429, 503]
    assert send(fake).status == "queued" and len(fake.sent) == 1
    fake.stop()


def test_a_client_error_is_reported_not_retried():
    fake = FakeTwilio()
    fake.failures = [400, 400]
    result = send(fake)
    assert result.status == "failed" and "400" in result.error
    assert "24-hour window" in result.error  # 63016 is named, not just numbered
    assert fake.failures == [400]  # asked once only
    fake.stop()


def test_giving_up_after_the_last_attempt():
    fake = FakeTwilio()
    fake.failures = [500] * 10
    result = send(fake)
    assert result.status == "failed" and fake.sent == [] and len(fake.failures) == 6
    fake.stop()


def test_the_error_code_comes_back_and_an_unsubscribed_recipient_is_named():
    fake = FakeTwilio()
    fake.unsubscribed.add("whatsapp:+5215500000000")
    result = send(fake)
    assert (result.status, result.error_code) == ("failed", 21610)
    assert "unsubscribed" in result.error and fake.sent == []
    fake.unsubscribed.clear()
    fake.failures = [(400, 63016)]
    assert send(fake).error_code == 63016
    assert send(fake).error_code is None  # sent


def send_template(fake, variables):
    sender = TwilioSender("ACtest", "token", "whatsapp:+14155238886", base_url=fake.url,
                          backoff_seconds=0.01)

    async def go():
        try:
            return await sender.send_template("whatsapp:+5215500000000", "HXabc", variables)
        finally:
            await sender.close()

    return asyncio.run(go())


def test_a_template_goes_as_content_sid_and_json_variables_without_a_body():
    fake = FakeTwilio()
    variables = {"1": "Ana María", "2": "Limpieza dental", "3": "jueves 26 de noviembre",
                 "4": "10:00", "5": "K7P-3QX"}
    result = send_template(fake, variables)
    assert result.status == "queued" and result.sid.startswith("SM")
    [form] = fake.sent
    assert "Body" not in form and form["From"] == "whatsapp:+14155238886"
    assert form["ContentVariables"] == json.dumps(variables, ensure_ascii=False)
    assert fake.templates("whatsapp:+5215500000000") == [("HXabc", variables)]
    fake.stop()


def test_a_refused_template_comes_back_with_twilio_s_code():
    fake = FakeTwilio()
    fake.failures = [(400, 63027)]  # template not approved / does not exist
    result = send_template(fake, {"1": "x"})
    assert result.status == "failed" and result.sid is None and "code=63027" in result.error
    assert fake.sent == [] and fake.requests == 1
    fake.stop()
