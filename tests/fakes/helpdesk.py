"""In-memory fakes of the helpdesk ports (appointments/domain/helpdesk.py): the links
(SqlHelpdeskLinks in dicts, over an InMemoryHandoffCases for "is the case open"), and a
helpdesk that records what it was asked and can fail as a product that is down."""
from __future__ import annotations

import itertools
import threading
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from appointments.domain.handoff import CLOSED as CASE_CLOSED, OPEN as CASE_OPEN
from appointments.domain.helpdesk import (
    CLOSED,
    FAILED,
    OPEN,
    PENDING,
    Event,
    HelpdeskError,
    InboundRequest,
    Link,
    WebhookRefused,
)
from tests.fakes.ports import InMemoryHandoffCases


class InMemoryHelpdeskLinks:
    def __init__(self, cases: InMemoryHandoffCases) -> None:
        self.cases = cases
        self._links: Dict[int, Link] = {}
        self._events: Set[Tuple[str, str]] = set()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()

    def _case_status(self, case_id: int) -> str:
        return self.cases.get(case_id)["status"]

    def add_pending(self, case_id: int, helpdesk: str, now: datetime) -> Link:
        with self._lock:
            for link in self._links.values():
                if link["case_id"] == case_id and link["helpdesk"] == helpdesk:
                    return dict(link)
            link_id = next(self._ids)
            self._links[link_id] = dict(
                id=link_id, case_id=case_id, helpdesk=helpdesk, external_ref=None,
                status=PENDING, attempts=0, next_attempt_at=now, last_error=None,
                created_at=now, updated_at=now)
            return dict(self._links[link_id])

    def get(self, link_id: int) -> Link:
        with self._lock:
            return dict(self._links[link_id])

    def claim(self, link: Link, now: datetime, until: datetime) -> bool:
        with self._lock:
            stored = self._links[link["id"]]
            if stored["status"] != PENDING or stored["next_attempt_at"] != link["next_attempt_at"]:
                return False
            stored.update(next_attempt_at=until, updated_at=now)
            return True

    def due(self, now: datetime, limit: int) -> List[Link]:
        with self._lock:
            found = [dict(link) for link in self._links.values()
                     if link["status"] == PENDING and link["next_attempt_at"] <= now
                     and self._case_status(link["case_id"]) == CASE_OPEN]
        return sorted(found, key=lambda link: link["next_attempt_at"])[:limit]

    def mark_open(self, link_id: int, ref: str, now: datetime) -> None:
        with self._lock:
            link = self._links[link_id]
            link.update(status=OPEN, external_ref=ref, next_attempt_at=None, last_error=None,
                        attempts=link["attempts"] + 1, updated_at=now)

    def mark_retry(self, link_id: int, error: str, now: datetime,
                   next_attempt_at: Optional[datetime]) -> None:
        with self._lock:
            link = self._links[link_id]
            link.update(status=PENDING if next_attempt_at else FAILED,
                        next_attempt_at=next_attempt_at, last_error=error[:500],
                        attempts=link["attempts"] + 1, updated_at=now)

    def mark_closed(self, link_id: int, now: datetime) -> None:
        with self._lock:
            self._links[link_id].update(status=CLOSED, updated_at=now)

    def for_case(self, case_id: int) -> List[Link]:
        with self._lock:
            return [dict(link) for _, link in sorted(self._links.items())
                    if link["case_id"] == case_id]

    def by_ref(self, helpdesk: str, ref: str) -> Optional[Link]:
        with self._lock:
            found = [link for _, link in sorted(self._links.items())
                     if link["helpdesk"] == helpdesk and link["external_ref"] == ref]
        return dict(found[-1]) if found else None

    def to_close(self, limit: int) -> List[Link]:
        with self._lock:
            return [dict(link) for _, link in sorted(self._links.items())
                    if link["status"] == OPEN
                    and self._case_status(link["case_id"]) == CASE_CLOSED][:limit]

    def first_time(self, helpdesk: str, event_id: str, now: datetime) -> bool:
        with self._lock:
            if (helpdesk, event_id) in self._events:
                return False
            self._events.add((helpdesk, event_id))
            return True

    def forget_event(self, helpdesk: str, event_id: str) -> None:
        with self._lock:
            self._events.discard((helpdesk, event_id))


class FakeHelpdesk:
    """Records opens, appends and closes; `failures`: errors to raise first, one per call
    (HelpdeskError instances); `events`: what parse_webhook returns, when the request's
    path secret is `secret` (else 403)."""

    can_close = True

    def __init__(self, name: str = "fakedesk", secret: str = "s" * 16) -> None:
        self.name, self.secret = name, secret
        self.opened: List[Tuple[Dict[str, Any], List[Dict[str, Any]]]] = []
        self.appended: List[Tuple[str, str]] = []
        self.closed: List[str] = []
        self.failures: List[HelpdeskError] = []
        self.events: List[Event] = []
        self._refs = itertools.count(100)

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def open(self, case: Dict[str, Any], transcript: Sequence[Dict[str, Any]]) -> str:
        self._maybe_fail()
        self.opened.append((case, list(transcript)))
        return str(next(self._refs))

    async def append_user_message(self, ref: str, text: str, case: Dict[str, Any]) -> None:
        self._maybe_fail()
        self.appended.append((ref, text))

    async def close(self, ref: str) -> None:
        self._maybe_fail()
        self.closed.append(ref)

    def parse_webhook(self, request: InboundRequest) -> List[Event]:
        if request.path_secret != self.secret:
            raise WebhookRefused(403, "bad secret")
        if request.body == b"garbage":
            raise WebhookRefused(400, "not JSON")
        return list(self.events)

    async def aclose(self) -> None:
        pass
