"""What the services need from the outside world, as typing.Protocol.

The SQL adapters (appointments/adapters/sql/), the Twilio sender and Rasa's HTTP client
implement these; the unit tests use in-memory fakes of the same ports (tests/fakes/).
appointments/bootstrap.py picks the implementation.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from appointments.domain.appointment import Appointment
from appointments.domain.reminders import Reminder

Case = Dict[str, Any]  # a handoff case as the repository returns it


class AppointmentRepository(Protocol):
    def add(self, appointment: Appointment, max_upcoming: Optional[int] = None) -> Appointment:
        """Store a booked appointment (with its end and service). SlotUnavailable(TAKEN)
        when its start is taken or [start, end) overlaps another booked appointment,
        CodeCollision when the code exists, TooManyAppointments past `max_upcoming`
        booked appointments after `appointment.created_at` for the phone."""

    def get(self, code: str) -> Optional[Appointment]: ...

    def booked_intervals(self, start: datetime, end: datetime) -> List[Tuple[datetime, datetime]]:
        """(start, end) of every booked appointment overlapping [start, end), by start."""

    def booked_for_phone(self, phone: str, after: datetime) -> List[Appointment]: ...

    def cancel(self, code: str, phone: str, at: datetime) -> bool:
        """False when no booked appointment with that code belongs to the phone."""

    def move(self, code: str, phone: str, start: datetime, end: datetime,
             at: Optional[datetime] = None) -> bool:
        """False as cancel; SlotUnavailable(TAKEN) when the new start is taken or
        [start, end) overlaps another booked appointment (its own old one does not count);
        then nothing changes. A move forgets an earlier confirmation (it was of the old
        time), and the reminders are planned again as of `at` (default now).

        With reminder offsets, `add`, `move` and `cancel` plan, re-plan and cancel the
        appointment's reminders (ReminderQueue) in the same transaction."""

    def confirm(self, code: str, phone: str, at: datetime) -> bool:
        """Record that the phone confirmed its booked appointment; a second confirmation
        keeps the first time. False as cancel."""

    def mark_attendance(self, code: str, attendance: str, agent: str, at: datetime) -> bool:
        """Record ATTENDED or NO_SHOW (appointment.py) for a booked appointment, by `agent`
        at `at`, replacing an earlier mark; False when no booked appointment has that code.
        ValueError for another value."""

    def appointments_on(self, day_start: datetime, day_end: datetime) -> List[Appointment]:
        """Every appointment (booked and cancelled) starting in [day_start, day_end), by
        start then code."""


class HandoffCases(Protocol):
    def open_case(self, phone: str, reason: str, summary: Dict[str, Any],
                  transcript: Sequence[Dict[str, Any]] = (),
                  profile_name: Optional[str] = None) -> int: ...

    def get(self, case_id: int) -> Case:
        """CaseNotFound for an unknown id."""

    def open_case_for(self, phone: str) -> Optional[Case]: ...

    def list_open(self) -> List[Case]: ...

    def touch(self, phone: str) -> None: ...

    def close(self, case_id: int, closed_by: str, agent_name: Optional[str] = None) -> Case:
        """CaseClosed when it was closed already (a second click)."""

    def reopen(self, case_id: int) -> None: ...

    def idle_since(self, moment: datetime) -> List[Case]: ...


class MessageLog(Protocol):
    def record(self, direction: str, phone: str, body: str, status: str,
               message_sid: Optional[str] = None, media: Sequence[Dict[str, str]] = (),
               error: Optional[str] = None, author: Optional[str] = None,
               agent_name: Optional[str] = None) -> int: ...

    def conversation(self, phone: str, since: Optional[datetime] = None) -> List[Dict[str, Any]]:
        ...

    def count(self, author: str, since: datetime, phone: Optional[str] = None) -> int:
        """Messages of `author` from `since` on (aware), of one phone or of all."""

    def last_inbound_at(self, phone: str) -> Optional[datetime]:
        """When `phone` last wrote to us (aware UTC); None if never (or purged)."""

    def last_outbound_key(self, phone: str) -> Optional[str]:
        """The idempotency key of the last message sent to `phone` (a reminder's), or
        None when it had none (a reply, an agent's message) or nothing was sent."""

    def reserve_outbound(self, phone: str, body: str, idempotency_key: str,
                         author: str) -> Optional[int]:
        """Log an outbound message about to be sent, with status "sending", under a
        key no other row holds; its id, or None when the key exists already (it was
        sent, or is being sent, by someone else: do not send it again)."""

    def finish_outbound(self, message_id: int, status: str, message_sid: Optional[str] = None,
                        error: Optional[str] = None) -> None:
        """The outcome of a reserved message. A "failed" one gives its key up, so a
        later attempt can reserve it again."""

    def find_by_key(self, idempotency_key: str) -> Optional[Dict[str, Any]]: ...


class Sent(Protocol):
    @property
    def sid(self) -> Optional[str]: ...

    @property
    def status(self) -> str: ...

    @property
    def error(self) -> Optional[str]: ...

    @property
    def error_code(self) -> Optional[int]:
        """The provider's numeric error (Twilio's 21610: the recipient unsubscribed)."""


class ContactPreferences(Protocol):
    """Who opted out of our messages (appointments/domain/contact.py). Phones in any
    form (appointments/domain/phones.py): +521 and +52 are one person."""

    def opt_out(self, phone: str, at: datetime, source: str) -> bool:
        """Record that `phone` wants no more messages (`source`: SOURCE_USER or
        SOURCE_UNSUBSCRIBED); True when that changed something (it was not opted out)."""

    def opt_in(self, phone: str, at: datetime) -> bool:
        """Undo an opt-out; True when the phone was opted out."""

    def is_opted_out(self, phone: str) -> bool: ...


class MessageSender(Protocol):
    async def send(self, to: str, body: str, from_number: Optional[str] = None) -> Sent:
        """Deliver one WhatsApp/SMS text; errors come back in `error`, not raised."""

    async def send_template(self, to: str, content_sid: str,
                            variables: Mapping[str, str]) -> Sent:
        """Deliver an approved WhatsApp template (Twilio Content API) with its variables
        ("1", "2"...); allowed outside the 24-hour window, unlike free text."""


class ReminderQueue(Protocol):
    """Reminder rows (planned by the AppointmentRepository) as workers take them. A mark
    applies only while the reminder is still under the claim that took it."""

    def claim_due(self, now: datetime, worker_id: str, limit: int) -> List[Reminder]:
        """Up to `limit` reminders due by `now` (and those whose claim went stale),
        claimed by this call alone, even with other workers claiming at once."""

    def mark_sent(self, reminder: Reminder, now: datetime, message_sid: Optional[str]) -> bool: ...

    def mark_skipped(self, reminder: Reminder, now: datetime, reason: str) -> bool: ...

    def mark_failed(self, reminder: Reminder, now: datetime, error: str) -> bool:
        """Again after a backoff, or failed for good after the last attempt."""

    def release(self, reminder: Reminder) -> bool:
        """Back to pending untouched (the worker stops before sending it)."""


class AssistantControl(Protocol):
    """Pausing and resuming the assistant for a conversation (AssistantUnavailable when
    it does not answer)."""

    async def pause(self, sender_id: str) -> None: ...

    async def resume(self, sender_id: str) -> None: ...

    async def trigger_intent(self, sender_id: str, intent: str,
                             entities: Optional[Dict[str, Any]] = None) -> None: ...


class LanguageModel(Protocol):
    def complete(self, system: str, user: str) -> str:
        """The model's answer to `user` under the instructions `system` (blocking: call
        it from a worker thread). Raises on a timeout, an HTTP error or an unreadable
        answer; never retries."""
