"""The Sender port in memory: RecordingSender keeps what would have gone out (texts and
templates) and can be told to refuse sends as Twilio does, in the result, never raised.
Re-exported by tests/fakes/ports.py with the other fakes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from appointments.domain.phones import normalize_phone


@dataclass(frozen=True)
class SendResult:
    """What a sender returns (the Sent port), as the Twilio adapter's SendResult."""

    sid: Optional[str]
    status: str
    error: Optional[str] = None
    error_code: Optional[int] = None


@dataclass(frozen=True)
class Outgoing:
    to: str
    body: str  # "" for a template
    from_number: Optional[str] = None
    content_sid: Optional[str] = None  # a template's (send_template)
    variables: Optional[Dict[str, str]] = None


class RecordingSender:
    """Records what would have been sent. `fail(error)` makes later sends (to one
    number, or to all) come back failed with that error, as Twilio's refusals do: in
    the result, never raised."""

    def __init__(self) -> None:
        self.sent: List[Outgoing] = []  # accepted
        self.refused: List[Outgoing] = []  # came back failed
        # to -> (error, after, error code)
        self._failures: Dict[Optional[str], Tuple[str, int, Optional[int]]] = {}

    def fail(self, error: str, to: Optional[str] = None, after: int = 0,
             code: Optional[int] = None) -> None:
        """Fail the sends to `to` (None: to anybody) once `after` more have gone out,
        with the provider's error `code` (21610: the recipient unsubscribed)."""
        self._failures[to] = (error, after, code)

    def recover(self) -> None:
        self._failures.clear()

    def to(self, phone: str) -> List[str]:
        """What went to that person, whichever form of the number (+521 / +52)."""
        return [message.body for message in self.sent
                if normalize_phone(message.to) == normalize_phone(phone)]

    async def send(self, to: str, body: str, from_number: Optional[str] = None) -> SendResult:
        return self._deliver(Outgoing(to, body, from_number))

    async def send_template(self, to: str, content_sid: str,
                            variables: Mapping[str, str]) -> SendResult:
        return self._deliver(Outgoing(to, "", None, content_sid, dict(variables)))

    def _deliver(self, message: Outgoing) -> SendResult:
        to = message.to
        key = to if to in self._failures else None
        if key in self._failures:
            error, after, code = self._failures[key]
            if after <= 0:
                self.refused.append(message)
                return SendResult(None, "failed", error, code)
            self._failures[key] = (error, after - 1, code)
        self.sent.append(message)
        return SendResult(f"SM{len(self.sent):032d}", "queued")
