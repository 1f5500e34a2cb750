"""A handoff case in the business's own helpdesk (Chatwoot, Zendesk, Freshdesk, Intercom),
both ways: the case opens a conversation or ticket there, what the user writes while it
is open is appended, and what comes back from the product's webhook is an agent's reply
(it goes to the user's WhatsApp) or "resolved" (the conversation goes back to the bot).

Here: the ports (`Helpdesk`, one adapter per product in appointments/adapters/helpdesks/;
`HelpdeskLinks`, the SQL table that ties a case to its conversation there) and the
inbound events an adapter reads from a webhook. Nothing here knows HTTP or SQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, Union

Case = Dict[str, Any]  # a handoff case as HandoffCases returns it
Line = Dict[str, Any]  # one line of a transcript: {"author", "text", "at"}
Link = Dict[str, Any]  # a row of HelpdeskLinks (see there)

# A link's status: PENDING (not opened there yet: retried with backoff), OPEN (it has an
# external ref), FAILED (given up after MAX_ATTEMPTS, or the case ended first), CLOSED
# (the conversation there was resolved, by us or by the product).
PENDING, OPEN, FAILED, CLOSED = "pending", "open", "failed", "closed"


class HelpdeskError(Exception):
    """The product did not do what was asked: down, timed out, refused (the message says
    which, never a token). `retry`: worth trying again later (5xx, 429, no answer)."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class AgentReply:
    """An agent wrote to the customer from the product (public, not a private note)."""

    ref: str  # the conversation/ticket id there
    text: str
    event_id: str  # the product's id of this event: a replay is recognised by it
    agent_name: str


@dataclass(frozen=True)
class Resolved:
    """The conversation/ticket was resolved (solved, closed) there: back to the bot."""

    ref: str
    event_id: str


@dataclass(frozen=True)
class Ignored:
    """A well-formed event that asks nothing of us (an incoming message, a note...)."""

    why: str


Event = Union[AgentReply, Resolved, Ignored]


class WebhookRefused(Exception):
    """An inbound request that is not the product's (401/403) or not readable (400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class InboundRequest:
    """What an adapter may look at to authenticate and read a webhook."""

    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    path_secret: Optional[str] = None  # /helpdesk/<product>/webhook/<secret>, if any
    now: Optional[datetime] = None  # for timestamped signatures (aware UTC)


class Helpdesk(Protocol):
    """One product. Calls raise HelpdeskError; `parse_webhook` raises WebhookRefused."""

    name: str  # as in HELPDESK: "chatwoot", ...
    can_close: bool  # whether `close` does anything there

    async def open(self, case: Case, transcript: Sequence[Line]) -> str:
        """Open the case there (contact/requester by phone and name, the transcript,
        the summary for the agents); the conversation/ticket id, as text."""

    async def append_user_message(self, ref: str, text: str, case: Case) -> None:
        """Add what the user wrote while the case is open."""

    async def close(self, ref: str) -> None:
        """Resolve it there (the case was given back to the bot elsewhere)."""

    def parse_webhook(self, request: InboundRequest) -> List[Event]:
        """Authenticate (WebhookRefused 401/403) and read (WebhookRefused 400) one
        webhook delivery: no I/O, no state."""

    async def aclose(self) -> None:
        """Release connections."""


class HelpdeskLinks(Protocol):
    """Links: case ↔ (helpdesk, external ref, status, attempts, next_attempt_at,
    last_error), one per case and helpdesk; and the inbound events already handled."""

    def add_pending(self, case_id: int, helpdesk: str, now: datetime) -> Link:
        """The link of (case, helpdesk), made PENDING and due now unless it exists."""

    def get(self, link_id: int) -> Link: ...

    def claim(self, link: Link, now: datetime, until: datetime) -> bool:
        """Take a PENDING link to open it: its next_attempt_at moves to `until`, only if
        nobody moved it since `link` was read (another worker, the action)."""

    def due(self, now: datetime, limit: int) -> List[Link]:
        """PENDING links due by `now` whose case is still open."""

    def mark_open(self, link_id: int, ref: str, now: datetime) -> None: ...

    def mark_retry(self, link_id: int, error: str, now: datetime,
                   next_attempt_at: Optional[datetime]) -> None:
        """One more failed attempt: PENDING again from `next_attempt_at`, or FAILED for
        good when it is None."""

    def mark_closed(self, link_id: int, now: datetime) -> None: ...

    def for_case(self, case_id: int) -> List[Link]: ...

    def by_ref(self, helpdesk: str, ref: str) -> Optional[Link]:
        """The most recent link with that external ref (with the case's id)."""

    def to_close(self, limit: int) -> List[Link]:
        """OPEN links whose case was closed here (to resolve there)."""

    def first_time(self, helpdesk: str, event_id: str, now: datetime) -> bool:
        """Record an inbound event id; False when it was recorded before (a replay)."""

    def forget_event(self, helpdesk: str, event_id: str) -> None:
        """Undo `first_time` when handling the event failed (a redelivery may redo it)."""
