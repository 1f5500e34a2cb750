"""Optional answers from a language model, for the customer questions the deterministic
layer (FAQ, menu, booking flow) could not answer. Off unless LLM_BASE_URL, LLM_API_KEY
and LLM_MODEL are set (appointments/settings.py).

The model sees the reviewed prompt (prompts/answer_question.md) followed by the business
profile rendered as plain text by `profile_context`, and the customer's question: nothing
else, no tools. Before a call, in this order: an empty question, booking words (the menu
handles those) and advice requests are refused without calling it, then the daily caps
(per phone and in total, counted in the message log since midnight in the business's
time zone). After it: an error, the NO_SE marker, an empty answer or one that claims a
booking was made give no text (the caller sends its fallback); a good answer is tidied
for WhatsApp and cut to MAX_ANSWER characters on a sentence boundary.

Each model call leaves two rows of author "llm" in the message log: the question
("in", "llm_question") before the call, so concurrent calls count, and the answer ("out",
"llm_answer"; "llm_error" with an empty body when there was none). The caps count calls
as half the rows, rounded up.

Synchronous and blocking (database, HTTP): call it from a worker thread, as actions run.
"""
from __future__ import annotations

import logging
import re
import time as timer
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable, List, Optional
from zoneinfo import ZoneInfo

from appointments.domain.business import BusinessProfile, Offering
from appointments.domain.handoff import utc_now
from appointments.domain.messages import INBOUND, OUTBOUND
from appointments.domain.ports import LanguageModel, MessageLog
from appointments.interpret.llm_guards import (
    asks_for_advice,
    asks_to_book,
    claims_a_booking,
    says_not_known,
)
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

AUTHOR = "llm"
QUESTION, ANSWER, ERROR = "llm_question", "llm_answer", "llm_error"  # message log statuses
ANSWERED, BOOKING_WORDS, ADVICE = "answered", "booking_words", "advice"
NOT_IN_PROFILE, TIMEOUT_OR_ERROR = "not_in_profile", "timeout_or_error"
CAP_PHONE, CAP_TOTAL, EMPTY = "cap_phone", "cap_total", "empty"

MIN_LETTERS = 3  # fewer letters than this is no question ("?", "ok", "👍")
MAX_QUESTION = 1000  # characters of the question sent to the model
MAX_ANSWER = 700  # characters of an answer sent to the customer
MAX_LOGGED = 2000  # characters of a question or an answer kept in the message log

WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")
COUNTRIES = {"MX": "México"}


@dataclass(frozen=True)
class LlmOutcome:
    text: Optional[str]  # the answer to send; None: the caller sends its fallback
    reason: str  # ANSWERED, BOOKING_WORDS, ADVICE, NOT_IN_PROFILE, TIMEOUT_OR_ERROR, ...

    @property
    def answered(self) -> bool:
        return self.text is not None


# --- the profile as the model reads it ----------------------------------------------

def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _day(day: date) -> str:
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def _price(offering: Offering, currency: str) -> str:
    low, high = offering.price_from, offering.price_to
    if low is None:
        return "precio no publicado"
    if high is None or high == low:
        return f"precio ${low:,} {currency}"
    return f"precio desde ${low:,} hasta ${high:,} {currency} (según el caso)"


def _service(offering: Offering, currency: str) -> str:
    price = _price(offering, currency)
    line = f"- {offering.name}: dura {offering.duration_minutes} minutos; {price}."
    if offering.description:
        line += f" {offering.description}"
    if offering.preparation:
        line += f" Preparación: {offering.preparation}"
    return line


def profile_context(profile: BusinessProfile) -> str:
    """Every field a customer may ask about, as plain Spanish text; empty ones left out."""
    lines: List[str] = [f"Nombre: {profile.name}"]
    for label, value in (("Dirección", profile.address), ("Cómo llegar", profile.directions),
                         ("Mapa", profile.map_url), ("Teléfono", profile.phone)):
        if value:
            lines.append(f"{label}: {value}")
    lines.append("Horario de atención:")
    for weekday, name in enumerate(WEEKDAYS):
        periods = profile.hours.get(weekday, ())
        spans = " y ".join(f"de {_clock(opens)} a {_clock(closes)}" for opens, closes in periods)
        lines.append(f"- {name}: {spans or 'cerrado'}")
    if profile.holidays_country:
        country = COUNTRIES.get(profile.holidays_country, profile.holidays_country)
        lines.append(f"Cerrado también los días festivos oficiales de {country}.")
    if profile.closed_dates:
        lines.append("Días cerrados:")
        lines += [f"- {_day(day)}: {reason}" if reason else f"- {_day(day)}"
                  for day, reason in sorted(profile.closed_dates.items())]
    if profile.services:
        lines.append("Servicios:")
        lines += [_service(offering, profile.currency) for offering in profile.services]
    if profile.payment_methods:
        lines.append(f"Formas de pago: {'; '.join(profile.payment_methods)}.")
    for label, value in (("Estacionamiento", profile.parking),
                         ("Accesibilidad", profile.accessibility),
                         ("Política de cancelación", profile.cancellation_policy)):
        if value:
            lines.append(f"{label}: {value}")
    if profile.faq:
        lines.append("Preguntas frecuentes:")
        for entry in profile.faq:
            lines.append(f"- Pregunta: {' / '.join(entry.questions)}")
            lines.append(f"  Respuesta: {entry.answer}")
    return "\n".join(lines)


# --- the answer as WhatsApp shows it ------------------------------------------------

_DOUBLE_BOLD = re.compile(r"\*\*([^*\n]{1,300})\*\*")
_HEADER = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^)\s]{1,500})\)")
_BLANK_LINES = re.compile(r"\n{3,}")
_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")


def whatsapp_text(answer: str) -> str:
    """**bold** -> *bold*, no '#' headers, [text](url) -> text: url, at most one blank line."""
    answer = _DOUBLE_BOLD.sub(r"*\1*", answer.strip())
    answer = _HEADER.sub("", answer)
    answer = _LINK.sub(r"\1: \2", answer)
    return _BLANK_LINES.sub("\n\n", answer).strip()


def trim(answer: str, limit: int = MAX_ANSWER) -> str:
    """At most `limit` characters, cut after the last whole sentence that fits (or at a
    word, with '…', when no sentence ends in the last two thirds)."""
    if len(answer) <= limit:
        return answer
    ends = [m.end() for m in _SENTENCE_END.finditer(answer, 0, limit + 1) if m.end() <= limit]
    if ends and ends[-1] >= limit // 3:
        return answer[:ends[-1]].rstrip()
    head = answer[:limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space >= limit // 3 else head).rstrip(" ,;:") + "…"


# The reviewed prompt asks for Spanish; an English conversation gets this after it.
ANSWER_IN = {"en": "\n\nThe customer writes in English: answer in English, with the same "
                   "rules and only the facts above."}


# --- the service --------------------------------------------------------------------

class LlmAnswers:
    def __init__(self, model: LanguageModel, log: MessageLog, profile: BusinessProfile,
                 prompt: str, cap_per_phone: int, cap_total: int,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.model = model
        self.log = log
        self.cap_per_phone = cap_per_phone
        self.cap_total = cap_total
        self.clock = clock
        self.tz = ZoneInfo(profile.timezone)
        self.system = f"{prompt.strip()}\n\n{profile_context(profile)}"

    def answer(self, phone: str, text: Optional[str], language: str = "es") -> LlmOutcome:
        """The model's answer to TEXT, in the conversation's LANGUAGE ("es", "en"),
        or why there is none."""
        question = (text or "").strip()
        if sum(c.isalpha() for c in question[:MAX_QUESTION]) < MIN_LETTERS:
            return LlmOutcome(None, EMPTY)
        if asks_to_book(question):
            return LlmOutcome(None, BOOKING_WORDS)
        if asks_for_advice(question):
            return LlmOutcome(None, ADVICE)
        try:
            over = self._over_cap(phone)
            if over:
                logger.info("LLM cap reached for %s: %s", mask_phone(phone), over)
                return LlmOutcome(None, over)
            self.log.record(INBOUND, phone, question[:MAX_LOGGED], QUESTION, author=AUTHOR)
        except Exception:  # noqa: BLE001 - without the log the caps cannot hold: no call
            logger.exception("LLM answers: the message log failed; the model is not asked")
            return LlmOutcome(None, TIMEOUT_OR_ERROR)
        return self._ask(phone, question[:MAX_QUESTION], language)

    def business_day_start(self) -> datetime:
        """Midnight of today in the business's time zone: where the daily caps start."""
        today = self.clock().astimezone(self.tz).date()
        return datetime.combine(today, time(0), tzinfo=self.tz)

    def _over_cap(self, phone: str) -> Optional[str]:
        since = self.business_day_start()
        if _calls(self.log.count(AUTHOR, since, phone)) >= self.cap_per_phone:
            return CAP_PHONE
        if _calls(self.log.count(AUTHOR, since)) >= self.cap_total:
            return CAP_TOTAL
        return None

    def _ask(self, phone: str, question: str, language: str = "es") -> LlmOutcome:
        started = timer.monotonic()
        system = self.system + ANSWER_IN.get(language, "")
        try:
            raw = self.model.complete(system, question)
        except Exception as error:  # noqa: BLE001 - any failure: the caller's fallback
            outcome, logged, status = LlmOutcome(None, TIMEOUT_OR_ERROR), "", ERROR
            detail: Optional[str] = error.__class__.__name__
        else:
            outcome = judge(raw or "", self.system)
            logged, status = (outcome.text if outcome.answered else raw or ""), ANSWER
            detail = None if outcome.answered else outcome.reason
        elapsed_ms = (timer.monotonic() - started) * 1000
        logger.info("LLM answer for %s: %s in %.0f ms", mask_phone(phone),
                    detail if status == ERROR else outcome.reason, elapsed_ms)
        try:
            self.log.record(OUTBOUND, phone, (logged or "")[:MAX_LOGGED], status,
                            error=detail, author=AUTHOR)
        except Exception:  # noqa: BLE001 - the answer still goes out
            logger.exception("LLM answers: could not log the answer")
        return outcome


def judge(raw: str, context: str = "") -> LlmOutcome:
    """What may be sent of a model's answer: nothing that says it does not know, claims a
    booking, or holds a link, an amount or a phone number its context does not (a prompt
    injection could otherwise send made-up prices or a phishing link from the business's
    number)."""
    answer = whatsapp_text(raw)
    if not answer or says_not_known(answer) or claims_a_booking(answer):
        return LlmOutcome(None, NOT_IN_PROFILE)
    if context and any(fact not in _facts(context) for fact in _facts(answer)):
        return LlmOutcome(None, NOT_IN_PROFILE)
    return LlmOutcome(trim(answer), ANSWERED)


_URL = re.compile(r"(?:https?://|www\.)[^\s*)]+", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,.]*")


def _facts(text: str) -> set:
    """Links and figures (amounts, phone numbers; digits only) a text states."""
    links = {link.rstrip(".,").lower() for link in _URL.findall(text)}
    figures = {re.sub(r"\D", "", n) for n in _NUMBER.findall(_URL.sub(" ", text))}
    return links | {f.lstrip("0") for f in figures if len(f.lstrip("0")) >= 3}


def _calls(rows: int) -> int:
    """Model calls behind `rows` log rows: two each, the last maybe still under way."""
    return (rows + 1) // 2
