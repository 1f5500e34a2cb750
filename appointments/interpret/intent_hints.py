"""Words that settle what a message wants when the classifier hesitates between
neighbours: "cancélala" / "cancel it" is cancelling even after "mejor"; "cámbiala" /
"move it" is changing; a greeting or a long story that names a day or a time is asking
for an appointment, unless it asks whether the business opens then; "English" /
"español" alone asks to switch languages (interpret.language)."""
from __future__ import annotations

import re
from typing import Optional

from appointments.interpret.language import requested_language
from appointments.interpret.text import normalize

SWITCH_LANGUAGE = "switch_language"  # no NLU examples: only this hint gives it

_CANCEL = re.compile(r"\b(?:cancelala|cancelalo|cancelarla|cancelarlo|anulala|borrala"
                     r"|me la (?:puede|puedes|podria|podrian|pueden) cancelar"
                     r"|cancel (?:it|that one|that appt|that appointment))\b")
_CHANGE = re.compile(
    r"\b(?:cambiala|cambiarla|cambialo|muevela|moverla|pasala|pasarla|recorrela|recorrerla"
    r"|cambiamela|me la cambias|me la puedes cambiar|me la podrian cambiar|reagendar|reagendala"
    r"|change it|move it|reschedule it|reschedule that|push it|change that one)\b"
)
# "don't cancel it", "no, don't change it": the opposite of the hint.
_NEGATED = re.compile(r"\b(?:don t|dont|do not|not|never) (?:cancel|change|move|reschedule|push)\b")
# Without one of these words, a message with a day or hour is not cancelling or changing.
_CANCEL_WORDS = re.compile(r"\b(?:cancel\w*|anul\w*|borr\w*|quit\w*|elimin\w*|ya no (?:voy|puedo)"
                           r"|call off|cant make|can t make|wont make|won t make)")
_CHANGE_WORDS = re.compile(r"\b(?:cambi\w*|mov\w*|muev\w*|pas\w*|recorr\w*|reagend\w*|adelant\w*"
                           r"|atras\w*|otro dia|otra hora|otra fecha|en vez|mejor"
                           r"|chang\w*|resched\w*|mov\w*|push\w*|instead|another day"
                           r"|another time|different)")
# "¿abren el 25?", "¿atienden el sábado?": whether the business opens that day.
_OPEN_WORDS = re.compile(r"\b(?:abren|abre|abiert\w*|atienden|atiende|cierran|cierra|trabajan"
                         r"|horario|open|close|closed|hours|hrs)\b")
# "17 hrs", "a las 5", "at 4pm": nothing but an hour ("hrs" reads like "hours").
_JUST_AN_HOUR = re.compile(r"(?:(?:a las|a la|las|at) )?\d{1,2}(?::\d{2})? ?(?:hrs|hr|h|horas"
                           r"|am|pm|a m|p m)?$")
_BOOKING_WORDS = re.compile(r"\b(?:cita\w*|agend\w*|reserv\w*|apart\w*|lugar|espacio"
                            r"|appointment\w*|appt\w*|book\w*|slot\w*|spot)")
# ("my husband" is no "my appointments")
_MINE = re.compile(r"\b(?:mis|mi|tengo|tenia|tengan|i have|do i"
                   r"|my (?:appointment|appt|booking|schedule|reservation)\w*)\b")
# "¿quién ganó el partido de ayer?": a day already gone is no moment to book.
_PAST = re.compile(r"\b(?:ayer|anteayer|antier|anoche|(?:semana|mes|ano|fin de semana) pasad[oa]"
                   r"|yesterday|last night|last (?:week|month|year|weekend))\b")
# Intents that say nothing about appointments: with a day or time, it is a booking.
_NOT_A_REQUEST = {"greet", "out_of_scope", "nlu_fallback", "thank", "goodbye", "bot_challenge"}
# Questions about the business other than its hours: a long story naming a day or time
# under one of them ("necesito traer a mi mamá a revisión... ¿qué tiene el jueves en la
# tarde?") is asking for an appointment.
_QUESTIONS = {"ask_location", "ask_prices", "ask_payment", "ask_services", "ask_preparation",
              "ask_cancellation_policy", "ask_facilities"}
LONG_STORY = 12  # words
# Below this, a business question that names a time is a time given: "ah caray, entonces
# a las 11" (0.57 ask_facilities: "caray" is no word the classifier knows).
UNSURE = 0.8


def hinted_intent(text: Optional[str], intent: Optional[str], has_time: bool,
                  confidence: float = 1.0) -> Optional[str]:
    """The intent the message's own words settle, or None to keep the classifier's."""
    said = normalize(text, limit=2000)
    if requested_language(text) is not None:
        return SWITCH_LANGUAGE
    if _NEGATED.search(said):
        return None
    if _CHANGE.search(said) and intent != "reschedule_appointment":
        return "reschedule_appointment"
    if _CANCEL.search(said) and intent != "cancel_appointment":
        return "cancel_appointment"
    if not has_time:
        return None
    if intent == "ask_hours" and _JUST_AN_HOUR.match(said):
        return "inform"  # "17 hrs", "a las 5 pm": an hour given, not a question about the hours
    if intent in _NOT_A_REQUEST and _OPEN_WORDS.search(said) and not _BOOKING_WORDS.search(said):
        return "ask_hours"  # unsure, but asks whether they open that day: not a booking
    if intent in _NOT_A_REQUEST and _PAST.search(said) and not _BOOKING_WORDS.search(said):
        return None  # small talk about the past, not a request
    if intent in _QUESTIONS and len(said.split()) >= LONG_STORY:
        return "book_appointment"
    if intent in _QUESTIONS and confidence < UNSURE:
        return "inform"  # a form reads the time; outside one, a time starts a booking
    if intent in _NOT_A_REQUEST or (intent == "list_appointments" and not _MINE.search(said)):
        return "book_appointment"  # "cita el domingo a las 11" is no listing
    if intent == "cancel_appointment" and not _CANCEL_WORDS.search(said) \
            or intent == "reschedule_appointment" and not _CHANGE_WORDS.search(said):
        return "book_appointment"  # "ok ya, el viernes a las 12 entonces"
    return None
