"""A sender's inbound line: what Redis holds for one phone, worked in arrival order.

Each message is logged, checked against the sender's rate limit (over it: one polite
utter_rate_limited, then the rest of the window is logged but not answered) and run as
a turn. A message that is only an opt-out or opt-in word ("BAJA", "STOP", "ALTA":
appointments/interpret/opt_out.py) is recorded and answered here (utter_opted_out,
utter_opted_in) and never reaches Rasa. While Redis restarts, the line is retried; what
is queued stays queued.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable, Dict, Optional

from appointments.domain.handoff import utc_now
from appointments.domain.messages import INBOUND
from appointments.domain.ports import ContactPreferences
from appointments.interpret.opt_out import OPT_IN, OPT_OUT, read_opt_out
from appointments.privacy import mask_phone
from appointments.services.contact import record_wish
from appointments.rasa.channels.rate_limit import RateLimiter, Verdict
from appointments.rasa.channels.sender_queue import SenderQueue
from appointments.rasa.channels.twilio_request import message_metadata
from appointments.rasa.channels.whatsapp_turn import OnNewMessage, TurnRunner

logger = logging.getLogger(__name__)
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, None)
ANSWERS = {OPT_OUT: "utter_opted_out", OPT_IN: "utter_opted_in"}
NOT_RECORDED = "utter_try_again_later"


class InboundLine:
    def __init__(self, queue: SenderQueue, rate_limiter: RateLimiter, runner: TurnRunner,
                 preferences: Optional[Callable[[], ContactPreferences]] = None) -> None:
        """`preferences`: the process's ContactPreferences (built on first use); None:
        opt-out words go to Rasa like any text."""
        self.queue, self.rate_limiter, self.runner = queue, rate_limiter, runner
        self.preferences = preferences

    async def work(self, on_new_message: OnNewMessage, phone: str) -> None:
        """Handle what is queued for `phone` in Redis, in order."""
        for delay in RETRY_DELAYS:
            try:
                await self.queue.drain(
                    phone, lambda item: self.accept(on_new_message, phone, item["params"]))
                return
            except Exception:  # noqa: BLE001
                if delay is None:
                    logger.exception("gave up on the line of %s for now", mask_phone(phone))
                    return
                logger.warning("line of %s: Redis error; retrying", mask_phone(phone))
                await asyncio.sleep(delay)

    async def accept(self, on_new_message: OnNewMessage, phone: str,
                     params: Dict[str, str]) -> None:
        """Log, rate-limit and run one inbound message (on the turn worker's loop)."""
        replies = self.runner.replies
        metadata = message_metadata(params)
        body = params.get("Body", "")
        await replies.log(
            direction=INBOUND, phone=phone, body=body, status="received",
            message_sid=params.get("MessageSid") or None, media=metadata["media"],
        )
        verdict = await self.rate_limiter.check(phone)
        if verdict is not Verdict.ALLOW:
            logger.warning("%s is over the rate limit; not answered", mask_phone(phone))
            if verdict is Verdict.WARN:
                await replies.send_responses(phone, ["utter_rate_limited"])
            return
        wish = read_opt_out(body)
        if wish is not None and self.preferences is not None:
            answer = await self._record(self.preferences, phone, wish)
            await replies.send_responses(phone, [answer])
            return
        await self.runner.run(on_new_message, phone, body, metadata)

    @staticmethod
    async def _record(preferences: Callable[[], ContactPreferences], phone: str,
                      wish: str) -> str:
        """Record the wish (off the event loop); the response that answers it, or
        utter_try_again_later when it could not be recorded (nothing is promised)."""
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: record_wish(preferences(), phone, wish, utc_now()))
        except Exception:  # noqa: BLE001
            logger.exception("could not record the opt-out choice of %s", mask_phone(phone))
            return NOT_RECORDED
        return ANSWERS[wish]
