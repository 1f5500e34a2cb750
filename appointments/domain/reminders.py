"""Reminders of an appointment: when each is due, and how (or whether) it can go out.

A reminder is one row per appointment and kind; the kind is named after its offset
before the start ("24h", "2h", "30m"), so a kind can always be turned back into its
offset (`offset_of`). Offsets come from REMINDER_OFFSETS (24 h and 2 h by default).

WhatsApp lets a business write free text only within 24 hours of the person's last
message; outside that window only an approved template may be sent. `delivery` picks
one, or says that nothing can go out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Iterable, List, Optional, Sequence, Tuple

# States of a reminder row.
PENDING = "pending"  # waiting for its due time (or for its next attempt)
CLAIMED = "claimed"  # a worker is sending it
SENT = "sent"
SKIPPED = "skipped"  # decided not to send (last_error says why)
FAILED = "failed"  # gave up after the last attempt
CANCELLED = "cancelled"  # the appointment was cancelled, or moved inside this offset
STATES = (PENDING, CLAIMED, SENT, SKIPPED, FAILED, CANCELLED)

DEFAULT_OFFSETS: Tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
WINDOW = timedelta(hours=24)  # WhatsApp's customer service window
# Free text only while the window has at least this much left: the send itself takes a
# moment, and a text that lands after the window closes is refused (Twilio 63016).
WINDOW_MARGIN = timedelta(minutes=5)

# Workers: a claim older than this belongs to a worker that died (taken again); a failed
# send is tried again after 1, 2, 4 ... minutes (at most an hour), DEFAULT_MAX_ATTEMPTS
# times in all.
DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 5
MAX_BACKOFF = timedelta(hours=1)
ERROR_LENGTH = 500  # characters of last_error kept

_OFFSET = re.compile(r"(\d{1,4})\s*([dhm])")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


@dataclass(frozen=True)
class Reminder:
    """One reminder row as the worker sees it once it has claimed it."""

    id: int
    appointment_code: str
    kind: str  # "24h", "2h", "30m"
    due_at: datetime  # aware, UTC
    state: str
    attempts: int = 0  # sends tried so far (failed ones)
    last_error: Optional[str] = None
    claimed_by: Optional[str] = None  # the claim's token: marks apply only under it
    message_sid: Optional[str] = None

    @property
    def offset(self) -> timedelta:
        return offset_of(self.kind)

    def due_for(self, start: datetime) -> datetime:
        """When this kind is due for an appointment starting at `start` (UTC)."""
        return start.astimezone(timezone.utc) - self.offset


def backoff(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed send: 1, 2, 4 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(0, min(attempts, 20) - 1)), MAX_BACKOFF)


def parse_offset(text: str) -> timedelta:
    """'24h' -> 24 hours, '30m', '1d'. ValueError for anything else, or zero."""
    match = _OFFSET.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(f"'{text}' is not an offset like '24h', '2h' or '30m'")
    offset = int(match.group(1)) * _UNITS[match.group(2)]
    if offset <= timedelta(0):
        raise ValueError(f"'{text}' is no time before the appointment")
    return offset


def parse_offsets(spec: str) -> Tuple[timedelta, ...]:
    """'24h,2h,30m' -> the offsets, longest first; '' gives the defaults, 'none' none.
    ValueError for an unreadable or repeated offset."""
    if not spec.strip():
        return DEFAULT_OFFSETS
    if spec.strip().lower() == "none":
        return ()
    offsets = [parse_offset(part) for part in spec.split(",") if part.strip()]
    if len(set(offsets)) != len(offsets):
        raise ValueError(f"'{spec}' names the same offset twice")
    return tuple(sorted(offsets, reverse=True))


def kind_of(offset: timedelta) -> str:
    """The name of a reminder kind: '24h', '2h', '90m' (whole hours in hours)."""
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def offset_of(kind: str) -> timedelta:
    return parse_offset(kind)


def plan(start: datetime, now: datetime, offsets: Iterable[timedelta]) -> List[Tuple[str, datetime]]:
    """(kind, due time) of the reminders an appointment starting at `start` gets when
    planned at `now`: one per offset whose due time is still to come (none for an
    appointment booked inside the offset). Elapsed time, in UTC: 24 h before is 24 h
    before also across a clock change."""
    start = start.astimezone(timezone.utc)
    return [(kind_of(offset), start - offset) for offset in offsets if start - offset > now]


def superseded_by(kind: str, start: datetime, now: datetime,
                  offsets: Sequence[timedelta]) -> Optional[str]:
    """The shorter kind that is also due by `now` (a worker that was down, a clock that
    jumped): only the latest reminder goes, so nobody gets two at once."""
    mine, start = offset_of(kind), start.astimezone(timezone.utc)
    later = [o for o in offsets if o < mine and start - o <= now]
    return kind_of(min(later)) if later else None


class Delivery(str, Enum):
    FREE_TEXT = "free_text"
    TEMPLATE = "template"
    SKIP = "skip"


def delivery(last_inbound: Optional[datetime], now: datetime, template_configured: bool) -> Delivery:
    """Free text inside the 24-hour window of the person's last message, the approved
    template outside it, nothing when there is no template."""
    if last_inbound is not None and now - last_inbound < WINDOW - WINDOW_MARGIN:
        return Delivery.FREE_TEXT
    return Delivery.TEMPLATE if template_configured else Delivery.SKIP


def idempotency_key(code: str, kind: str, start: datetime) -> str:
    """One per appointment, kind and start time (a moved appointment gets new ones):
    'reminder:K7P-3QX:24h:2026-11-26T16:00:00+00:00'."""
    return f"reminder:{code}:{kind}:{start.astimezone(timezone.utc).isoformat()}"


def code_in_key(key: Optional[str]) -> Optional[str]:
    """The appointment code of a reminder's idempotency key, or None for another key."""
    parts = (key or "").split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "reminder" and parts[1] else None
