"""In-memory fakes of the ports in appointments/domain/ports.py, for service tests that
need no database, no Twilio and no Rasa.

Each fake keeps the semantics of the production adapter, not a simplification of it
(appointments/adapters/sql/, twilio.py, rasa_http.py): the same refusals in the same
order, the same fields, UTC timestamps, copies rather than shared objects.
tests/integration/test_repository_contract*.py runs the same scenarios against these
fakes and the SQL adapters on SQLite and PostgreSQL, so they cannot drift apart.

The fakes lock around their state: HandoffDesk calls the ports from worker threads.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from appointments.domain.handoff import (
    CLOSED,
    OPEN,
    AssistantUnavailable,
    CaseClosed,
    CaseNotFound,
    utc_now,
)
from appointments.domain.messages import INBOUND, OUTBOUND
from appointments.domain.phones import normalize_phone
from tests.fakes.appointment_repository import InMemoryAppointmentRepository, _utc
from tests.fakes.contact_preferences import InMemoryContactPreferences
from tests.fakes.reminders import InMemoryReminderQueue
from tests.fakes.sender import Outgoing, RecordingSender, SendResult

Clock = Callable[[], datetime]


def _json(value: Any) -> str:
    """As the SQL adapter stores summary and transcript (dates become strings)."""
    return json.dumps(value, ensure_ascii=False, default=str)


class InMemoryHandoffCases:
    """SqlHandoffRepository in a dict: one open case per phone in normal form (asking
    again, from either form, refreshes its summary, transcript, activity time and
    sender id; reason and profile name stay), ids from 1,
    closing twice raises CaseClosed, timestamps from `clock` in UTC (the SQL adapter uses
    appointments.domain.handoff.utc_now)."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._cases: Dict[int, Dict[str, Any]] = {}  # summary and transcript as JSON text
        self._next_id = 1
        self._lock = threading.RLock()

    def _now(self) -> datetime:
        return _utc(self.clock())

    @staticmethod
    def _decode(stored: Dict[str, Any]) -> Dict[str, Any]:
        case = dict(stored)
        case["summary"] = json.loads(case["summary"] or "{}")
        case["transcript"] = json.loads(case["transcript"] or "[]")
        return case

    def _open_for(self, phone: str) -> Optional[Dict[str, Any]]:
        phone = normalize_phone(phone)
        return next((c for _, c in sorted(self._cases.items())
                     if c["phone"] == phone and c["status"] == OPEN), None)

    def open_case(self, phone: str, reason: str, summary: Dict[str, Any],
                  transcript: Sequence[Dict[str, Any]] = (),
                  profile_name: Optional[str] = None) -> int:
        now = self._now()
        values = dict(summary=_json(summary), transcript=_json(list(transcript)),
                      updated_at=now, sender_id=phone)
        with self._lock:
            existing = self._open_for(phone)
            if existing is not None:
                existing.update(values)
                return int(existing["id"])
            case_id, self._next_id = self._next_id, self._next_id + 1
            self._cases[case_id] = dict(
                id=case_id, phone=normalize_phone(phone), profile_name=profile_name,
                reason=reason, status=OPEN, created_at=now, closed_at=None, closed_by=None,
                closed_agent=None, **values,
            )
            return case_id

    def get(self, case_id: int) -> Dict[str, Any]:
        with self._lock:
            if case_id not in self._cases:
                raise CaseNotFound(case_id)
            return self._decode(self._cases[case_id])

    def open_case_for(self, phone: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            case = self._open_for(phone)
            return self._decode(case) if case is not None else None

    def list_open(self) -> List[Dict[str, Any]]:
        with self._lock:
            found = [c for c in self._cases.values() if c["status"] == OPEN]
            found.sort(key=lambda c: (c["created_at"], c["id"]))
            return [self._decode(c) for c in found]

    def touch(self, phone: str) -> None:
        now, phone = self._now(), normalize_phone(phone)
        with self._lock:
            for case in self._cases.values():
                if case["phone"] == phone and case["status"] == OPEN:
                    case["updated_at"] = now

    def close(self, case_id: int, closed_by: str,
              agent_name: Optional[str] = None) -> Dict[str, Any]:
        now = self._now()
        with self._lock:
            case = self._cases.get(case_id)
            if case is None:
                raise CaseNotFound(case_id)
            if case["status"] != OPEN:
                raise CaseClosed(case_id)
            case.update(status=CLOSED, closed_at=now, closed_by=closed_by, updated_at=now,
                        closed_agent=agent_name[:60] if agent_name else None)
            return self._decode(case)

    def reopen(self, case_id: int) -> None:
        now = self._now()
        with self._lock:
            case = self._cases.get(case_id)
            if case is not None:  # an unknown id changes nothing, as an UPDATE of no row
                case.update(status=OPEN, closed_at=None, closed_by=None, closed_agent=None,
                            updated_at=now)

    def idle_since(self, moment: datetime) -> List[Dict[str, Any]]:
        moment = _utc(moment)
        with self._lock:
            return [self._decode(c) for _, c in sorted(self._cases.items())
                    if c["status"] == OPEN and c["updated_at"] < moment]


# --- message log --------------------------------------------------------------------

def _storable(text: Optional[str]) -> Optional[str]:
    """As SqlMessageLog keeps it: NUL (which PostgreSQL text refuses) becomes U+FFFD."""
    return text.replace("\x00", "\ufffd") if text else text


def _phone(phone: str) -> str:
    return _storable(normalize_phone(phone)) or ""


class InMemoryMessageLog:
    """SqlMessageLog in a list: rows with the table's columns (`media` as JSON text, as
    stored), the author defaulting to "user" for inbound and "bot" for outbound, phones
    in normal form, and a unique (when set) idempotency key that a failed outcome gives up."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._rows: List[Dict[str, Any]] = []
        self._lock = threading.RLock()

    def record(self, direction: str, phone: str, body: str, status: str,
               message_sid: Optional[str] = None, media: Sequence[Dict[str, str]] = (),
               error: Optional[str] = None, author: Optional[str] = None,
               agent_name: Optional[str] = None) -> int:
        row = dict(
            direction=direction, phone=_phone(phone), body=_storable(body), status=status,
            message_sid=_storable(message_sid), media=json.dumps(list(media)),
            error=_storable(error), author=author or ("user" if direction == INBOUND else "bot"),
            agent_name=_storable(agent_name[:60]) if agent_name else None,
            created_at=_utc(self.clock()), idempotency_key=None,
        )
        with self._lock:
            row["id"] = len(self._rows) + 1
            self._rows.append(row)
            return int(row["id"])

    def last_inbound_at(self, phone: str) -> Optional[datetime]:
        phone = _phone(phone)
        with self._lock:
            return max((row["created_at"] for row in self._rows
                        if row["phone"] == phone and row["direction"] == INBOUND), default=None)

    def last_outbound_key(self, phone: str) -> Optional[str]:
        phone = _phone(phone)
        with self._lock:
            sent = [row for row in self._rows
                    if row["phone"] == phone and row["direction"] == OUTBOUND]
        return sent[-1].get("idempotency_key") if sent else None

    def reserve_outbound(self, phone: str, body: str, idempotency_key: str,
                         author: str) -> Optional[int]:
        with self._lock:
            if any(row["idempotency_key"] == idempotency_key for row in self._rows):
                return None
            message_id = self.record(OUTBOUND, phone, body, "sending", author=author)
            self._rows[message_id - 1]["idempotency_key"] = idempotency_key
            return message_id

    def finish_outbound(self, message_id: int, status: str, message_sid: Optional[str] = None,
                        error: Optional[str] = None) -> None:
        with self._lock:
            row = self._rows[message_id - 1]
            row.update(status=status, message_sid=_storable(message_sid), error=_storable(error))
            if status == "failed":
                row["idempotency_key"] = None

    def find_by_key(self, idempotency_key: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            return next((dict(row) for row in self._rows
                         if row["idempotency_key"] == idempotency_key), None)

    def conversation(self, phone: str, since: Optional[datetime] = None) -> List[Dict[str, Any]]:
        since, phone = (_utc(since) if since is not None else None), _phone(phone)
        with self._lock:
            return [dict(row) for row in self._rows if row["phone"] == phone
                    and (since is None or row["created_at"] >= since)]

    def count(self, author: str, since: datetime, phone: Optional[str] = None) -> int:
        since, phone = _utc(since), (_phone(phone) if phone is not None else None)
        with self._lock:
            return sum(1 for row in self._rows if row["author"] == author
                       and row["created_at"] >= since and (phone is None or row["phone"] == phone))


# --- assistant ----------------------------------------------------------------------

class FakeAssistant:
    """The assistant's pause/resume (AssistantControl). Every call is recorded in
    `calls`, also the ones told to fail; `paused` holds the senders a successful pause
    left paused. `fail(...)` makes a call (or every call) fail for a sender (or for all)
    with AssistantUnavailable, as RasaClient does when Rasa is down or answers 500."""

    def __init__(self) -> None:
        self.calls: List[Tuple[Any, ...]] = []
        self.paused: Set[str] = set()
        self._failures: List[Tuple[Optional[str], Optional[str], BaseException]] = []

    def fail(self, call: Optional[str] = None, sender_id: Optional[str] = None,
             error: Optional[BaseException] = None) -> None:
        """`call`: "pause", "resume" or "trigger_intent" (None: all of them)."""
        self._failures.append(
            (call, sender_id, error or AssistantUnavailable("fake assistant unavailable")))

    def recover(self) -> None:
        self._failures.clear()

    def _attempt(self, call: str, sender_id: str, *details: Any) -> None:
        self.calls.append((call, sender_id, *details))
        for failing_call, failing_sender, error in self._failures:
            if failing_call in (None, call) and failing_sender in (None, sender_id):
                raise type(error)(*error.args)

    async def pause(self, sender_id: str) -> None:
        self._attempt("pause", sender_id)
        self.paused.add(sender_id)

    async def resume(self, sender_id: str) -> None:
        self._attempt("resume", sender_id)
        self.paused.discard(sender_id)

    async def trigger_intent(self, sender_id: str, intent: str,
                             entities: Optional[Dict[str, Any]] = None) -> None:
        self._attempt("trigger_intent", sender_id, intent, dict(entities or {}))


__all__ = [
    "FakeAssistant", "InMemoryAppointmentRepository", "InMemoryContactPreferences",
    "InMemoryHandoffCases", "InMemoryMessageLog", "InMemoryReminderQueue", "Outgoing",
    "RecordingSender", "SendResult",
]
