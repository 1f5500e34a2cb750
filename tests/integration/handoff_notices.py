"""What the notifier tests share: a notice, and notifiers pointed at local fakes."""
import asyncio
import socket

from appointments.adapters.notifiers import HandoffNotice, TwilioAgentNotifier, WebhookNotifier
from appointments.adapters.twilio import TwilioSender

SECRET = "s3cr3t-webhook"
USER = "whatsapp:+5215512345678"
AGENT_WHATSAPP = "whatsapp:+5215500000000"
AGENT_SMS = "+5215500000000"
BOT_NUMBER = "whatsapp:+14155238886"

NOTICE = HandoffNotice(
    case_id=12,
    phone=USER,
    profile_name="Ana Pérez",
    reason="user_request",
    goal="crear una cita",
    slots={"appointment_date": "2026-11-26", "appointment_time": "10:00"},
    recent=["Quiero una cita", "¿Puedo hablar con alguien? ¡Es urgente! Mañana, por favor"],
    console_url="https://citas.example.com/agent/cases/12",
)


def run(notifier, notice=NOTICE):
    async def go():
        try:
            return await notifier.notify(notice)
        finally:
            await notifier.close()

    return asyncio.run(go())


def webhook(url, secret=SECRET):
    return WebhookNotifier(url, secret, backoff_seconds=0.01)


def agent(fake, number=AGENT_WHATSAPP):
    sender = TwilioSender("ACtest", "token", BOT_NUMBER, base_url=fake.url, backoff_seconds=0.01)
    return TwilioAgentNotifier(sender, number, close_sender=True)


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/handoff"
