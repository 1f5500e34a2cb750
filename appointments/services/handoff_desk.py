"""What a human agent can do with a handoff case: read it, answer the user on WhatsApp,
and give the conversation back to the assistant (also done by the idle timeout).

Depends on ports only (appointments.domain.ports): the cases, the message log, a sender
and the assistant's pause/resume (Rasa's HTTP API in production), so the console runs
apart from Rasa and the tests use in-memory fakes.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, TypeVar

from appointments.domain.handoff import (
    OPEN,
    AssistantUnavailable,
    CaseClosed,
    CaseNotFound,
    utc_now,
)
from appointments.domain.messages import OUTBOUND, split
from appointments.domain.ports import AssistantControl, HandoffCases, MessageLog, MessageSender
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

FINISHED_INTENT = "EXTERNAL_handoff_finished"
T = TypeVar("T")


def conversation_of(case: Dict[str, Any]) -> str:
    """Where the case's conversation lives: the sender id the channel gave Rasa (the
    phone as WhatsApp wrote it), which the agent's replies and resume address. The
    case's `phone` is in normal form, for looking things up."""
    return case.get("sender_id") or case["phone"]


class SendFailed(Exception):
    """Twilio did not accept the agent's message; the message is Twilio's reason."""


class HandoffDesk:
    def __init__(
        self,
        cases: HandoffCases,
        log: MessageLog,
        sender: MessageSender,
        rasa: AssistantControl,
        timeout_minutes: int,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.cases = cases
        self.log = log
        self.sender = sender
        self.rasa = rasa
        self.timeout_minutes = timeout_minutes
        self.clock = clock

    async def _run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A blocking (database) call, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))

    async def open_cases(self) -> List[Dict[str, Any]]:
        return await self._run(self.cases.list_open)

    async def case_view(self, case_id: int) -> Dict[str, Any]:
        """The case plus `messages`: the message log for its phone since the case was
        opened (until it was closed), oldest first. CaseNotFound for an unknown id."""
        case = await self._run(self.cases.get, case_id)
        messages = await self._run(self.log.conversation, case["phone"], case["created_at"])
        if case["status"] != OPEN and case.get("closed_at"):
            messages = [m for m in messages if m["created_at"] <= case["closed_at"]]
        case["messages"] = messages
        return case

    async def reply(self, case_id: int, text: str, agent_name: str) -> None:
        """Send the agent's text to the user (in 1,600-character chunks), log it with
        author "agent", and note the activity on the case."""
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            raise ValueError("empty message")
        case = await self._run(self.cases.get, case_id)
        if case["status"] != OPEN:
            raise CaseClosed(case_id)
        phone = conversation_of(case)
        for chunk in split(text):
            result = await self.sender.send(phone, chunk)
            await self._run(
                self.log.record,
                direction=OUTBOUND,
                phone=phone,
                body=chunk,
                status=result.status,
                message_sid=result.sid,
                error=result.error,
                author="agent",
                agent_name=agent_name,
            )
            if result.status == "failed":
                logger.warning(
                    "agent %s: reply on case %s to %s not sent: %s",
                    agent_name, case_id, mask_phone(phone), result.error,
                )
                raise SendFailed(result.error or "unknown error")
        await self._run(self.cases.touch, phone)
        logger.info("agent %s replied on case %s", agent_name, case_id)

    async def give_back(self, case_id: int, closed_by: str = "agent",
                        agent_name: Optional[str] = None) -> Dict[str, Any]:
        """Close the case (atomically: a second click gets CaseClosed), un-pause the bot
        and let it tell the user. If Rasa fails, the case is reopened and
        AssistantUnavailable re-raised (and, if the bot was resumed but could not tell the
        user, it is paused again: as if nothing had happened)."""
        case = await self._run(self.cases.close, case_id, closed_by, agent_name)
        phone = conversation_of(case)
        try:
            await self.rasa.resume(phone)
            try:
                await self.rasa.trigger_intent(phone, FINISHED_INTENT)
            except AssistantUnavailable:
                with contextlib.suppress(AssistantUnavailable):
                    await self.rasa.pause(phone)
                raise
        except AssistantUnavailable:
            await self._run(self.cases.reopen, case_id)
            logger.warning("case %s reopened: could not give it back to Rasa", case_id)
            raise
        logger.info("case %s given back to the assistant (%s)", case_id, closed_by)
        return case

    async def expire_idle(self) -> List[int]:
        """Give back every case with no message either way for longer than the timeout;
        the ids given back."""
        cutoff = self.clock() - timedelta(minutes=self.timeout_minutes)
        idle = await self._run(self.cases.idle_since, cutoff)
        given_back: List[int] = []
        for case in idle:
            # The case's own clock moves with the agent's replies; the user's messages
            # while paused are only in the message log, and they count as activity too.
            if await self._run(self.log.conversation, case["phone"], cutoff):
                continue
            try:
                await self.give_back(case["id"], closed_by="timeout")
            except (CaseClosed, CaseNotFound):
                continue  # an agent was quicker
            except AssistantUnavailable as error:
                logger.warning("case %s: idle timeout could not give it back: %s",
                               case["id"], error)
                continue
            except Exception:  # one failure must not keep the others open
                logger.exception("case %s: idle timeout could not give it back", case["id"])
                continue
            given_back.append(case["id"])
        return given_back


__all__ = ["HandoffDesk", "SendFailed", "CaseClosed", "CaseNotFound", "AssistantUnavailable"]
