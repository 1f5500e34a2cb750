"""Sending the reminders that are due: the worker calls `send_due` every
REMINDER_POLL_SECONDS, in as many processes as it likes.

For each reminder it claimed (ReminderQueue), in this order:

1. the appointment must still be booked, still to come, and at the time the reminder was
   planned for (a move re-plans the row and takes the claim away: the new time is then
   the row's, and nothing this worker marks changes it);
2. a reminder that a shorter one has caught up with (the worker was down, the clock
   jumped) is skipped: only the latest goes;
3. a phone that opted out (`can_message`) is skipped;
4. free text (`utter_reminder` in domain.yml) inside WhatsApp's 24-hour window of the
   person's last message (message log), the approved template
   (TWILIO_TEMPLATE_REMINDER_SID, variables 1 name, 2 service, 3 date, 4 time, 5 code)
   outside it, and "skipped: outside 24 h, no template" without one;
5. the outbound message is reserved in the message log under the key
   reminder:<code>:<kind>:<start>; if the key is there already, another worker sent it
   (or crashed while sending it): it is not sent again;
6. sent; the log row gets Twilio's sid (author "reminder") and the reminder is marked
   sent. A refused send releases the key and is tried again after a backoff.

At most once: a worker that dies after Twilio accepted the message but before step 6 is
recorded leaves the reservation "sending"; the next worker sees the key and does not
send again (the person got it, or, if the process died before Twilio had it, got none).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Dict, Optional, Sequence, TypeVar

from appointments.domain.contact import UNSUBSCRIBED_ERROR
from appointments.domain.appointment import Appointment
from appointments.domain.business import BusinessProfile
from appointments.domain.handoff import utc_now
from appointments.domain.language import DEFAULT_LANGUAGE, ENGLISH, known
from appointments.domain.ports import AppointmentRepository, MessageLog, MessageSender, ReminderQueue
from appointments.domain.reminders import (
    DEFAULT_OFFSETS,
    Delivery,
    Reminder,
    delivery,
    idempotency_key,
    superseded_by,
)
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

AUTHOR = "reminder"  # the message log's author of every reminder
REMINDER_TEXT = "utter_reminder"  # {name} {service} {date} {time} {code}
NO_NAME_TEXT = "utter_reminder_no_name"  # {name} when the appointment has none
SENT, SKIPPED, FAILED, LEFT = "sent", "skipped", "failed", "left"
# Why a reminder was skipped (reminders.last_error; English, for the team, not the user).
CANCELLED_OR_GONE = "appointment no longer booked"
STARTED = "appointment already started"
OPTED_OUT = "opted out"
NO_TEMPLATE = "outside 24 h, no template"
UNSUBSCRIBED = "opted out at Twilio (21610)"
OUT_OF_STEP = "due time out of step with the appointment"
INTERRUPTED = "an earlier attempt was interrupted mid-send: not sent again (at most once)"
NO_WORDING = "utter_reminder missing from domain.yml, or unreadable"
T = TypeVar("T")


def language_of(appointment: Appointment) -> str:
    return known(appointment.language)


@dataclass(frozen=True)
class Wording:
    """Where the words come from: a domain.yml response's text by name, and the
    project's date and time formats, each in a language ("es", "en")."""

    text: Callable[[str, str], Optional[str]]
    day: Callable[[date, str], str]  # 'jueves 26 de noviembre' / 'Thursday, November 26'
    time: Callable[[datetime, str], str]  # '17:00' / '5:00 PM'


@dataclass
class Outcomes:
    """How many reminders of one run ended how."""

    counts: Dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def __getitem__(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ReminderService:
    def __init__(
        self,
        queue: ReminderQueue,
        appointments: AppointmentRepository,
        log: MessageLog,
        sender: MessageSender,
        business: BusinessProfile,
        wording: Wording,
        offsets: Sequence[timedelta] = DEFAULT_OFFSETS,
        template_sid: Optional[str] = None,
        clock: Callable[[], datetime] = utc_now,
        can_message: Callable[[str], bool] = lambda phone: True,
        worker_id: str = "worker",
        unsubscribed: Callable[[str], None] = lambda phone: None,
        batch_size: int = 20,
        concurrency: int = 4,
        template_sid_en: Optional[str] = None,
    ) -> None:
        self.queue = queue
        self.appointments = appointments
        self.log = log
        self.sender = sender
        self.business = business
        self.wording = wording
        self.offsets = tuple(offsets)
        self.template_sid = template_sid
        self.template_sid_en = template_sid_en  # for customers who booked in English
        self.clock = clock
        self.can_message = can_message
        self.worker_id = worker_id
        self.unsubscribed = unsubscribed  # Twilio said 21610: record the opt-out
        self.batch_size = batch_size
        self.concurrency = concurrency

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        """A blocking (database) call, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args))

    async def send_due(self, stopping: Callable[[], bool] = lambda: False) -> Outcomes:
        """Claim and handle due reminders, a batch at a time, until none is left (or
        `stopping()`: the claimed ones not started yet are given back)."""
        outcomes = Outcomes()
        gate = asyncio.Semaphore(self.concurrency)

        async def handle(reminder: Reminder) -> None:
            async with gate:
                if stopping():
                    await self._run(self.queue.release, reminder)
                    outcomes.add(LEFT)
                    return
                try:
                    outcomes.add(await self.handle(reminder))
                except Exception:  # noqa: BLE001 - the claim goes stale and is retried
                    logger.exception("reminder %d (%s) failed unexpectedly", reminder.id,
                                     reminder.kind)
                    outcomes.add(LEFT)

        while not stopping():
            batch = await self._run(self.queue.claim_due, self.clock(), self.worker_id,
                                    self.batch_size)
            await asyncio.gather(*(handle(reminder) for reminder in batch))
            if len(batch) < self.batch_size:
                break
        return outcomes

    async def handle(self, reminder: Reminder) -> str:
        """Send one claimed reminder, or skip it; the outcome (SENT, SKIPPED, ...)."""
        now = self.clock()
        appointment = await self._run(self.appointments.get, reminder.appointment_code)
        if appointment is None or not appointment.is_booked:
            return await self._skip(reminder, now, CANCELLED_OR_GONE)
        if appointment.start <= now:
            return await self._skip(reminder, now, STARTED)
        if abs(reminder.due_for(appointment.start) - reminder.due_at) >= timedelta(seconds=1):
            # Moved after this claim: the move re-planned the row and took the claim
            # away, so this mark changes nothing; it only settles a row out of step.
            return await self._skip(reminder, now, OUT_OF_STEP)
        later = superseded_by(reminder.kind, appointment.start, now, self.offsets)
        if later is not None:
            return await self._skip(reminder, now, f"superseded by the {later} reminder")
        if not await self._run(self.can_message, appointment.phone):
            return await self._skip(reminder, now, OPTED_OUT)
        last_inbound = await self._run(self.log.last_inbound_at, appointment.phone)
        template = self.template_for(appointment)
        how = delivery(last_inbound, now, template is not None)
        if how is Delivery.SKIP:
            return await self._skip(reminder, now, NO_TEMPLATE)
        variables = self.variables(appointment)
        body = self.free_text(variables)
        if body is None:
            return await self._skip(reminder, now, NO_WORDING)
        return await self._send(reminder, appointment, how, variables, body)

    async def _send(self, reminder: Reminder, appointment: Appointment, how: Delivery,
                    variables: Dict[str, str], body: str) -> str:
        phone = appointment.phone
        key = idempotency_key(appointment.code, reminder.kind, appointment.start)
        message_id = await self._run(self.log.reserve_outbound, phone, body, key, AUTHOR)
        if message_id is None:  # sent, or being sent, by someone else
            earlier = await self._run(self.log.find_by_key, key)
            if earlier and earlier.get("message_sid"):
                await self._run(self.queue.mark_sent, reminder, self.clock(),
                                earlier["message_sid"])
                return SENT
            return await self._skip(reminder, self.clock(), INTERRUPTED)
        if how is Delivery.TEMPLATE:
            numbered = {"1": variables["name"], "2": variables["service"],
                        "3": variables["date"], "4": variables["time"], "5": variables["code"]}
            result = await self.sender.send_template(
                phone, self.template_for(appointment) or "", numbered)
        else:
            result = await self.sender.send(phone, body)
        now = self.clock()
        if result.status == "failed" or not result.sid:
            error = result.error or "not sent"
            await self._run(self.log.finish_outbound, message_id, "failed", None, error)
            if getattr(result, "error_code", None) == UNSUBSCRIBED_ERROR:
                await self._run(self.unsubscribed, phone)  # no retry: they said STOP
                return await self._skip(reminder, now, UNSUBSCRIBED)
            await self._run(self.queue.mark_failed, reminder, now, error)
            logger.warning("reminder %d (%s) to %s not sent: %s", reminder.id, reminder.kind,
                           mask_phone(phone), error)
            return FAILED
        await self._run(self.log.finish_outbound, message_id, result.status, result.sid, None)
        await self._run(self.queue.mark_sent, reminder, now, result.sid)
        logger.info("reminder %d (%s, %s) sent to %s", reminder.id, reminder.kind, how.value,
                    mask_phone(phone))
        return SENT

    async def _skip(self, reminder: Reminder, now: datetime, reason: str) -> str:
        await self._run(self.queue.mark_skipped, reminder, now, reason)
        logger.info("reminder %d (%s) skipped: %s", reminder.id, reminder.kind, reason)
        return SKIPPED

    def template_for(self, appointment: Appointment) -> Optional[str]:
        """The approved template for outside the 24-hour window, in the customer's
        language when there is one in it, else the business's."""
        if language_of(appointment) == ENGLISH and self.template_sid_en:
            return self.template_sid_en
        return self.template_sid

    def variables(self, appointment: Appointment) -> Dict[str, str]:
        """name, service, date, time and code, as the person reads them (in the language
        they booked in)."""
        offering = self.business.offering(appointment.service) or self.business.default_offering
        start, language = appointment.start, language_of(appointment)
        name = (appointment.customer_name or "").strip() or \
            self.wording.text(NO_NAME_TEXT, language) or ""
        return {"name": name, "service": offering.name,
                "date": self.wording.day(start.date(), language),
                "time": self.wording.time(start, language), "code": appointment.code,
                "language": language}

    def free_text(self, variables: Dict[str, str]) -> Optional[str]:
        variables = dict(variables)
        text = self.wording.text(REMINDER_TEXT, variables.pop("language", DEFAULT_LANGUAGE))
        try:
            filled = text.format(**variables) if text else None
        except (KeyError, IndexError, ValueError):  # a placeholder we do not fill
            logger.error("%s has a placeholder other than %s", REMINDER_TEXT,
                         ", ".join("{%s}" % name for name in variables))
            return None
        return re.sub(r"[ \t]{2,}", " ", filled) if filled else None
