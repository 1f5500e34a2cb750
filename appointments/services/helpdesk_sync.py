"""Our side of a handoff case in the helpdesks HELPDESK names: opening it there, retrying
while the product is down, appending what the user writes, resolving it there once the
conversation is back with the bot.

- `case_opened` (the handoff action): a PENDING link per helpdesk, then one try each. A
  product that is down leaves the case as it is here (the console shows it; the user is
  told their request is registered) and the link PENDING.
- `retry_due` (the worker, every HELPDESK_RETRY_SECONDS): the PENDING links that are due,
  while their case is open, with exponential backoff; FAILED after MAX_ATTEMPTS or a
  refusal that will not change (a 4xx). A retried open also carries what the user wrote
  in the meantime (the message log since the case opened).
- `user_wrote` (the WhatsApp channel, while the bot is paused): appended to every OPEN link.
- `close_finished` (the worker): a case closed here (console, "menú", timeout) is
  resolved there when the product can do that; best effort, retried next round.

Depends on ports only; blocking calls run off the event loop. Nothing here raises into
its callers for a helpdesk's failure: it is logged (no phones, no tokens) and kept.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TypeVar

from appointments.domain.handoff import OPEN as CASE_OPEN, CaseNotFound, utc_now
from appointments.domain.helpdesk import (
    OPEN,
    PENDING,
    Case,
    Helpdesk,
    HelpdeskError,
    HelpdeskLinks,
    Line,
    Link,
)
from appointments.domain.messages import INBOUND
from appointments.domain.ports import HandoffCases, MessageLog

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
CLAIM = timedelta(minutes=2)  # an open under way is not tried by anyone else meanwhile
BATCH = 20
T = TypeVar("T")


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base... ≤ 1 h."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def later_user_lines(case: Case, logged: Sequence[Dict[str, Any]]) -> List[Line]:
    """What the user wrote after the case was opened (the transcript ends there)."""
    return [{"author": "user", "text": m["body"], "at": m["created_at"].isoformat()}
            for m in logged
            if m["direction"] == INBOUND and m.get("author") in (None, "user")
            and m["created_at"] > case["created_at"] and (m.get("body") or "").strip()]


class HelpdeskSync:
    def __init__(self, helpdesks: Mapping[str, Helpdesk], links: HelpdeskLinks,
                 cases: HandoffCases, log: MessageLog, retry_seconds: float = 60.0,
                 clock: Callable[[], datetime] = utc_now,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        self.helpdesks = dict(helpdesks)
        self.links, self.cases, self.log = links, cases, log
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.max_attempts = max_attempts
        self._phone_locks: Dict[str, asyncio.Lock] = {}

    @property
    def configured(self) -> bool:
        return bool(self.helpdesks)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args))

    async def case_opened(self, case_id: int) -> List[str]:
        """Open the case in every helpdesk (once per case: asking twice for a person
        refreshes nothing there); the names of those where it is open now."""
        now = self.clock()
        opened = []
        for name in self.helpdesks:
            try:
                link = await self._run(self.links.add_pending, case_id, name, now)
                if link["status"] == PENDING:
                    await self._try_open(link)
                    link = await self._run(self.links.get, link["id"])
            except Exception:  # noqa: BLE001 - the case stays here either way
                logger.exception("case %s: could not record or open it in %s", case_id, name)
                continue
            if link["status"] == OPEN:
                opened.append(name)
        return opened

    async def retry_due(self, stopping: Callable[[], bool] = lambda: False) -> Dict[str, int]:
        """Try the PENDING links that are due; how many opened and failed."""
        due = await self._run(self.links.due, self.clock(), BATCH)
        counts = {"opened": 0, "failed": 0}
        for link in due:
            if stopping():
                break
            counts["opened" if await self._try_open(link) else "failed"] += 1
        return counts

    async def _transcript(self, case: Case) -> List[Line]:
        logged = await self._run(self.log.conversation, case["phone"], case["created_at"])
        return list(case.get("transcript") or []) + later_user_lines(case, logged)

    async def _try_open(self, link: Link) -> bool:
        helpdesk = self.helpdesks.get(link["helpdesk"])
        now = self.clock()
        if helpdesk is None or not await self._run(self.links.claim, link, now, now + CLAIM):
            return False  # not configured any more, or someone else is on it
        try:
            case = await self._run(self.cases.get, link["case_id"])
        except CaseNotFound:
            await self._run(self.links.mark_retry, link["id"], "case not found", now, None)
            return False
        if case["status"] != CASE_OPEN:
            await self._run(self.links.mark_retry, link["id"], "case closed first", now, None)
            return False
        try:
            ref = await helpdesk.open(case, await self._transcript(case))
        except Exception as error:  # noqa: BLE001 - kept, and tried again later
            await self._failed(link, helpdesk.name, error)
            return False
        await self._run(self.links.mark_open, link["id"], str(ref), self.clock())
        logger.info("case %s opened in %s", link["case_id"], helpdesk.name)
        return True

    async def _failed(self, link: Link, name: str, error: Exception) -> None:
        attempts = int(link.get("attempts") or 0) + 1
        retry = getattr(error, "retry", True) and attempts < self.max_attempts
        now = self.clock()
        next_at = now + backoff(attempts, self.retry_seconds) if retry else None
        reason = str(error) if isinstance(error, HelpdeskError) else error.__class__.__name__
        await self._run(self.links.mark_retry, link["id"], reason, now, next_at)
        if next_at is None:
            logger.error("case %s: gave up opening it in %s after %d attempts: %s",
                         link["case_id"], name, attempts, reason)
        else:
            logger.warning("case %s: not opened in %s (%s); again at %s",
                           link["case_id"], name, reason, next_at.isoformat(timespec="seconds"))

    async def user_wrote(self, phone: str, text: str, received_at: datetime) -> int:
        """Append what the user wrote at `received_at` to the open case's conversations
        (none when no case is open, or the case was opened by this very message); how
        many took it. Never raises. Calls for one phone run in the order they were made."""
        text = (text or "").strip()
        if not text or not self.helpdesks:
            return 0
        if len(self._phone_locks) > 1000:  # forget the idle ones
            for key in [k for k, held in self._phone_locks.items() if not held.locked()]:
                del self._phone_locks[key]
        async with self._phone_locks.setdefault(phone, asyncio.Lock()):
            try:
                return await self._append(phone, text, received_at)
            except Exception:  # noqa: BLE001 - the message is in the log and the console
                logger.exception("could not append a user message to the helpdesks")
                return 0

    async def _append(self, phone: str, text: str, received_at: datetime) -> int:
        case = await self._run(self.cases.open_case_for, phone)
        if case is None or case["created_at"] >= received_at:
            return 0
        appended = 0
        for link in await self._run(self.links.for_case, case["id"]):
            helpdesk = self.helpdesks.get(link["helpdesk"])
            if helpdesk is None or link["status"] != OPEN:
                continue  # a pending link gets it with its transcript when it opens
            try:
                await helpdesk.append_user_message(link["external_ref"], text, case)
                appended += 1
            except Exception as error:  # noqa: BLE001
                logger.warning("case %s: user message not appended in %s: %s", case["id"],
                               helpdesk.name, error if isinstance(error, HelpdeskError)
                               else error.__class__.__name__)
        return appended

    async def close_finished(self, stopping: Callable[[], bool] = lambda: False) -> int:
        """Resolve there the conversations of cases closed here; how many."""
        closed = 0
        for link in await self._run(self.links.to_close, BATCH):
            if stopping():
                break
            helpdesk = self.helpdesks.get(link["helpdesk"])
            if helpdesk is not None and helpdesk.can_close:
                try:
                    await helpdesk.close(link["external_ref"])
                except HelpdeskError as error:
                    logger.warning("case %s: not resolved in %s: %s", link["case_id"],
                                   helpdesk.name, error)
                    if error.retry:
                        continue  # next round
            await self._run(self.links.mark_closed, link["id"], self.clock())
            closed += 1
        return closed

    async def aclose(self) -> None:
        await asyncio.gather(*(h.aclose() for h in self.helpdesks.values()),
                             return_exceptions=True)


__all__ = ["HelpdeskSync", "backoff", "later_user_lines", "MAX_ATTEMPTS"]
