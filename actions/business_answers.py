"""Answers to questions about the business (hours, a given day, address, prices,
payment, services, preparation, cancellation policy, parking, frequent questions), all
from business.yml through `BusinessAnswers`; the sentences are in domain.yml.

`action_answer_question` answers the ask_* intents; inside a form the rules then ask the
pending question again. `answer_unrecognized` is what action_handle_fallback tries
first: a frequent question of business.yml, then the optional LLM.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import formatting, services
from actions.service_choice import service_line
from appointments.domain.language import current_language
from appointments.interpret.requested_time import read_requested_time
from appointments.interpret.text import words

logger = logging.getLogger(__name__)

UNKNOWN = "utter_answer_unknown"
OFFER_PERSON = "utter_offer_person"  # "sí" right after it hands the chat to a person
WEEKDAY_WORDS = {"lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4,
                 "sabado": 5, "sabados": 5, "sabdo": 5, "domingo": 6, "domingos": 6}
PLURAL_WEEKDAYS = {"sabados", "domingos"}  # "los lunes" is plural by its article


def _asked_day(tracker: Tracker) -> Optional[date]:
    entities = (tracker.latest_message or {}).get("entities") or []
    wanted = read_requested_time(entities, services.appointment_service().calendar)
    return wanted.day


def _every_weekday(text: Text, day: Optional[date]) -> Optional[int]:
    """"¿abren los sábados?" asks about every Saturday (so does "¿abren sábado?" when no
    date was read); "¿abren el sábado?" and "¿abren el 25?" ask about one day, which may
    be a holiday or a closed date."""
    said = words(text)
    for index, word in enumerate(said):
        if word in WEEKDAY_WORDS:
            plural = word in PLURAL_WEEKDAYS or (index > 0 and said[index - 1] == "los")
            return WEEKDAY_WORDS[word] if plural or day is None else None
    return None


def _hours(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    answers = services.business_answers()
    week = formatting.week_text(answers.week())
    day = _asked_day(tracker)
    text = (tracker.latest_message or {}).get("text") or ""
    weekday = _every_weekday(text, day)
    if day is None and weekday is None:
        dispatcher.utter_message(response="utter_answer_hours", hours=week)
        return True
    if weekday is not None:
        periods = answers.weekday(weekday)
        name = formatting.weekday_name(weekday)
        if periods:
            dispatcher.utter_message(response="utter_answer_weekday_open", weekday=name,
                                     periods=formatting.periods_text(periods))
        else:
            dispatcher.utter_message(response="utter_answer_weekday_closed", weekday=name,
                                     hours=week)
        return True
    hours = answers.day(day)
    if hours.periods:
        dispatcher.utter_message(response="utter_answer_day_open",
                                 date_text=formatting.day_text(day),
                                 periods=formatting.periods_text(hours.periods))
    elif hours.closed_reason:
        dispatcher.utter_message(response="utter_answer_day_holiday",
                                 date_text=formatting.day_text(day), reason=hours.closed_reason,
                                 hours=week)
    else:
        dispatcher.utter_message(response="utter_answer_day_closed",
                                 date_text=formatting.day_text(day), hours=week)
    return True


def _location(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    profile = services.business_answers().profile
    lines = [line for line in (profile.address, profile.directions, profile.map_url) if line]
    if not lines:
        return False
    dispatcher.utter_message(response="utter_answer_location", name=profile.name,
                             details="\n".join(lines))
    return True


def _prices(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    answers = services.business_answers()
    currency = answers.profile.currency
    named = answers.offering_named((tracker.latest_message or {}).get("text") or "")
    if named is not None and named.price_from is not None:
        dispatcher.utter_message(response="utter_answer_price_one", service=named.name,
                                 price=formatting.price_text(named, currency),
                                 details=named.description)
        return True
    priced = answers.with_price()
    if not priced:
        return False
    dispatcher.utter_message(response="utter_answer_prices", options=formatting.bullets(
        service_line(o, currency) for o in priced))
    return True


def _payment(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    methods = services.business_answers().profile.payment_methods
    if not methods:
        return False
    dispatcher.utter_message(response="utter_answer_payment",
                             options=formatting.bullets(methods))
    return True


def _services(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    profile = services.business_answers().profile
    if not profile.services:
        return False
    dispatcher.utter_message(response="utter_answer_services", options=formatting.bullets(
        service_line(o, profile.currency) for o in profile.services))
    return True


def _preparation(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    answers = services.business_answers()
    named = answers.offering_named((tracker.latest_message or {}).get("text") or "")
    if named is not None:
        if named.preparation:
            dispatcher.utter_message(response="utter_answer_preparation_one",
                                     service=named.name, preparation=named.preparation)
        else:
            dispatcher.utter_message(response="utter_answer_preparation_none",
                                     service=named.name)
        return True
    prepared = answers.with_preparation()
    if not prepared:
        return False
    dispatcher.utter_message(response="utter_answer_preparation", options=formatting.bullets(
        f"*{o.name}*: {o.preparation}" for o in prepared))
    return True


def _policy(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    policy = services.business_answers().profile.cancellation_policy
    if not policy:
        return False
    dispatcher.utter_message(response="utter_answer_policy", policy=policy)
    return True


def _facilities(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    profile = services.business_answers().profile
    lines = [line for line in (profile.parking, profile.accessibility) if line]
    if not lines:
        return False
    dispatcher.utter_message(response="utter_answer_facilities", details="\n".join(lines))
    return True


ANSWERS = {
    "ask_hours": _hours,
    "ask_location": _location,
    "ask_prices": _prices,
    "ask_payment": _payment,
    "ask_services": _services,
    "ask_preparation": _preparation,
    "ask_cancellation_policy": _policy,
    "ask_facilities": _facilities,
}


def _faq(dispatcher: CollectingDispatcher, text: Text) -> bool:
    entry = services.business_answers().faq_for(text)
    if entry is None:
        return False
    dispatcher.utter_message(response="utter_answer_faq", answer=entry.answer)
    return True


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        if _faq(dispatcher, message.get("text") or ""):
            return []
        intent = (message.get("intent") or {}).get("name")
        answer = ANSWERS.get(intent or "")
        if answer is not None and answer(dispatcher, tracker):
            return []
        return unknown(dispatcher, tracker)


def answer_unrecognized(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[EventType]]:
    """A frequent question of business.yml, or the LLM's answer when it is switched on:
    the events to return, or None when neither could answer (the usual fallback)."""
    text = (tracker.latest_message or {}).get("text") or ""
    if _faq(dispatcher, text):
        return []
    model = services.llm_answers()
    if model is None or (tracker.active_loop or {}).get("name"):
        return None  # in a form, a message not understood is a misread answer: no model
    outcome = model.answer(tracker.sender_id, text, current_language())
    if outcome.text:
        dispatcher.utter_message(response="utter_answer_llm", answer=outcome.text)
        return []
    if outcome.reason in ("booking_words", "empty"):
        return None
    return unknown(dispatcher, tracker)


def unknown(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """"No tengo ese dato": in a flow with a pointer to an agent before the pending
    question is asked again; otherwise with the offer of a person, which a "sí" takes."""
    if (tracker.active_loop or {}).get("name"):
        dispatcher.utter_message(response="utter_answer_unknown_in_flow")
        return []
    dispatcher.utter_message(response=UNKNOWN)
    return [FollowupAction(OFFER_PERSON)]
