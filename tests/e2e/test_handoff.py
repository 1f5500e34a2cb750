"""Human handoff through the real stack: signed WhatsApp messages into the Rasa server,
the action server pausing the bot and notifying the agent (fake Twilio + a fake helpdesk
webhook), the agent console answering and giving the conversation back."""
import requests

from appointments.adapters.sql.database import create_database_engine
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.domain.phones import normalize_phone

from tests.e2e.agents import BACK, CONNECTING, case_webhook, console, quiet
from tests.e2e.conftest import AGENT_NUMBER
from tests.e2e.twilio_client import converse, post

def test_whatsapp_agent_round_trip(stack, phone):
    """The issue's "done when": ask for an agent, the bot pauses, the agent is notified,
    answers from the console, the user receives it, and after "Devolver al asistente"
    the bot answers again."""
    assert len(converse(stack, phone, "hola", 0)) == 2
    [connecting] = converse(stack, phone, "4", 2)
    assert connecting.startswith(CONNECTING)

    case = case_webhook(stack, phone)
    assert case["event"] == "handoff.created" and case["profile_name"] == "Ana"
    assert case["console_url"].endswith(f"/agent/cases/{case['case_id']}")
    notices = [m["Body"] for m in stack.twilio.sent if m["To"] == AGENT_NUMBER]
    number = normalize_phone(phone).split(":")[1]  # the case shows the normal form
    assert any(f"#{case['case_id']}" in n and number in n for n in notices)
    assert stack.tracker(phone)["paused"] is True

    # While paused the first message gets one acknowledgement, later ones silence, and
    # what the user writes is kept for the agent.
    assert post(stack, phone, "¿Hay alguien ahí? Es sobre mi cita del viernes").status_code == 200
    [acknowledged] = stack.twilio.wait_for(phone, 4)[3:]
    assert "Ya avisé a un agente" in acknowledged
    assert post(stack, phone, "¿Hola?").status_code == 200
    assert quiet(stack, phone) == []
    page = console(stack, "GET", f"/agent/cases/{case['case_id']}")
    assert page.status_code == 200 and "Es sobre mi cita del viernes" in page.text

    reply = "¡Hola, Ana! Soy Laura 🙋. ¿Qué pasó con tu cita del viernes?"
    sent = console(stack, "POST", f"/agent/cases/{case['case_id']}/reply", data={"text": reply})
    assert sent.status_code == 303
    assert stack.twilio.wait_for(phone, 5)[4] == reply

    back = console(stack, "POST", f"/agent/cases/{case['case_id']}/resume")
    assert back.status_code == 303
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert stack.tracker(phone)["paused"] is False

    answer = converse(stack, phone, "hola", 6)
    assert answer and answer[0].startswith("¡Hola")

    log = SqlMessageLog(create_database_engine(stack.database_url)).conversation(phone)
    authors = [(m["direction"], m["author"]) for m in log]
    assert ("out", "agent") in authors and authors.count(("in", "user")) == 5
    assert any(m["body"] == "¿Hay alguien ahí? Es sobre mi cita del viernes" for m in log)


def test_asking_in_words_pauses_the_bot(stack, say, sender):
    assert CONNECTING in say("quiero hablar con una persona, por favor")
    assert "Ya avisé a un agente" in say("hola")  # once, then quiet
    assert say("sigues ahí?") == ""  # paused: the REST channel gets no answer
    tracker = stack.tracker(sender)
    assert tracker["paused"] is True
    assert tracker["latest_message"]["text"] == "sigues ahí?"  # kept in the conversation
    assert "¿En qué te puedo ayudar?" in say("asistente")  # back to the bot
    assert stack.tracker(sender)["paused"] is False
    assert case_webhook(stack, sender)["reason"] == "user_request"


def test_three_messages_in_a_row_the_bot_cannot_help_with_hand_over(stack, say, sender):
    first = say("¿cuál es la capital de Francia?")
    second = say("quién ganó el partido de ayer?")
    assert "no te puedo ayudar" in first and "no te puedo ayudar" in second
    third = say("recomiéndame una película")
    assert "no te estoy entendiendo" in third and CONNECTING in third
    assert case_webhook(stack, sender)["reason"] == "fallback"
    assert stack.tracker(sender)["paused"] is True


def test_a_closed_case_cannot_be_answered_or_given_back_twice(stack, phone):
    converse(stack, phone, "agente", 0)
    case_id = case_webhook(stack, phone)["case_id"]
    assert console(stack, "POST", f"/agent/cases/{case_id}/resume").status_code == 303
    stack.twilio.wait_for(phone, 2)
    again = console(stack, "POST", f"/agent/cases/{case_id}/resume")
    late = console(stack, "POST", f"/agent/cases/{case_id}/reply", data={"text": "¿Sigues ahí?"})
    assert (again.status_code, late.status_code) == (409, 409)
    assert "¿Sigues ahí?" not in stack.twilio.to(phone)


def test_the_console_wants_its_token(stack):
    for auth in (None, ("Laura", "wrong")):
        reply = requests.get(stack.console_url + "/agent/", auth=auth, timeout=10)
        assert reply.status_code == 401 and "Basic" in reply.headers["WWW-Authenticate"]


def test_the_helpdesk_webhook_carries_the_case(stack, phone):
    converse(stack, phone, "hola", 0)
    converse(stack, phone, "quiero agendar una cita", 2)
    converse(stack, phone, "hablar con un agente", len(stack.twilio.to(phone)))
    case = case_webhook(stack, phone)
    assert case["goal"] == "crear una cita"
    assert "quiero agendar una cita" in case["recent"]
    assert isinstance(case["slots"], dict) and case["case_id"] > 0
