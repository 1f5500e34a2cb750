"""Rasa input channel for WhatsApp through Twilio: signed, idempotent, fast, ordered.

- Routes: POST /whatsapp-reply (the original product's webhook) and
  POST /webhooks/whatsapp/webhook, GET /webhooks/whatsapp/ for health.
- Cheap checks before any work, then X-Twilio-Signature over the public URL (PUBLIC_URL,
  since TLS usually ends at a proxy), once (webhook_guard.py). Forged or missing: 403;
  too large: 413; not a form: 415; no TWILIO_AUTH_TOKEN: 503. Nothing done.
- Twilio gets its answer at once (empty TwiML); the turn runs on a worker thread's own
  event loop (turns.py), so neither a slow action server nor Rasa's predictions delay it.
- A MessageSid seen before is ignored: checked and queued in one Redis step
  (`SenderQueue.push_once`), so a crash between the two cannot lose a message.
- One sender's messages are handled one at a time, in arrival order, even across
  replicas: each is appended to the sender's line in Redis before Twilio gets its
  answer, and whichever replica holds the line's lease works it (sender_queue.py). The
  replies of a turn are sent one after the other. Different senders run in parallel.
- A sender over WHATSAPP_RATE_LIMIT messages a window gets one polite answer
  (utter_rate_limited); the rest of that window is logged, not answered.
- "BAJA" / "STOP" or "ALTA" / "START" alone is recorded (ContactPreferences) and
  answered by the channel (utter_opted_out / utter_opted_in), not by Rasa.
- A turn that leaves the user without an answer (action server down, Rasa error) and
  did not pause the bot for a human gets utter_try_again_later.
- While a person has the conversation, what the user writes is also appended to the
  case's conversation in the helpdesks (HELPDESK; helpdesk_relay.py), after the turn.
- Typed "/intent{...}" payloads are neutralised; a numbered reply to buttons becomes
  the button's payload. Every message in and out goes to the message log.

This module is the webhook (HTTP routes, checks, queueing); the line of each sender is
whatsapp_line.py, one turn whatsapp_turn.py, the replies whatsapp_replies.py. Its
collaborators come from appointments/launch/channels.py (the composition root).
"""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from appointments.adapters.redis_retry import async_client
from appointments.domain.ports import ContactPreferences, HandoffCases, MessageLog, MessageSender
from appointments.privacy import mask_phone
from appointments.rasa.channels.buttons import ButtonMemory
from appointments.rasa.channels.conversation_language import ConversationLanguage
from appointments.rasa.channels.domain_texts import DomainTexts
from appointments.rasa.channels.handoff_wait import HandoffWait
from appointments.rasa.channels.helpdesk_relay import HelpdeskRelay
from appointments.rasa.channels.rate_limit import RateLimiter
from appointments.rasa.channels.reminder_answers import ReminderAnswers
from appointments.rasa.channels.sender_queue import SenderQueue
from appointments.rasa.channels.turns import TurnWorker
from appointments.rasa.channels.twilio_request import PerLoop
from appointments.rasa.channels.webhook_guard import WebhookGuard
from appointments.rasa.channels.whatsapp_line import InboundLine
from appointments.rasa.channels.whatsapp_output import WhatsAppOutput
from appointments.rasa.channels.whatsapp_replies import WhatsAppReplies
from appointments.rasa.channels.whatsapp_turn import CHANNEL, TurnRunner
from appointments.services.helpdesk_sync import HelpdeskSync
from appointments.settings import Settings

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
GIL_SWITCH_SECONDS = 0.001
DRAIN_SECONDS = 20.0  # on shutdown, how long turns under way may take to finish


class WhatsAppChannel(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def __init__(self, settings: Settings, sender: Callable[[], MessageSender],
                 message_log: Callable[[], MessageLog], cases: Callable[[], HandoffCases],
                 preferences: Optional[Callable[[], ContactPreferences]] = None,
                 helpdesks: Optional[Callable[[], Optional[HelpdeskSync]]] = None) -> None:
        """SENDER, MESSAGE_LOG, CASES, PREFERENCES and HELPDESKS give the process's (built
        on first use; the sender serves every event loop; HELPDESKS gives None without
        HELPDESK)."""
        self.settings = settings
        self.guard = WebhookGuard(settings)
        self._app: Optional[Sanic] = None  # the Rasa server; its ctx.agent has the domain
        self._redis: PerLoop[Any] = PerLoop(lambda: async_client(settings.redis_url))
        self.message_log = message_log
        keys = f"{settings.redis_key_prefix}:twilio"  # Redis keys of this channel
        self.queue = SenderQueue(self._redis.get, prefix=keys)
        self.replies = WhatsAppReplies(sender, message_log, DomainTexts(self._agent),
                                       ConversationLanguage(self._agent))
        # A few turns at a time: each runs Rasa's predictions, and more at once only
        # makes every one of them slower.
        self.turns = TurnWorker(settings.whatsapp_concurrent_turns)
        self.runner = TurnRunner(
            self._agent, ButtonMemory(self._redis.get, keys), HandoffWait(self._agent, cases),
            self.replies, self.turns,
            ReminderAnswers(lambda phone: message_log().last_outbound_key(phone)),
            HelpdeskRelay(helpdesks) if helpdesks is not None else None)
        self.line = InboundLine(self.queue, RateLimiter(
            self._redis.get, settings.whatsapp_rate_limit,
            settings.whatsapp_rate_window_seconds, prefix=f"{keys}:rate"), self.runner,
            preferences)

    def url_prefix(self) -> Text:
        return "/"  # routes below carry their full paths, incl. the root /whatsapp-reply

    def _agent(self) -> Any:
        """The agent the Rasa server serves now (replaced when a model is loaded)."""
        return getattr(self._app.ctx, "agent", None) if self._app else None

    def get_output_channel(self) -> OutputChannel:
        """Where Rasa's HTTP API sends bot messages for this channel (e.g. the
        `trigger_intent` an agent's "Devolver al asistente" makes)."""
        return WhatsAppOutput(self.replies)

    async def _receive(self, request: Request, on_new_message: Any) -> Any:
        refused, params = self.guard.check(request)
        if refused:
            return response.text(refused[1], status=refused[0])
        phone = params.get("From", "")
        if not phone:
            return response.text(EMPTY_TWIML, content_type="text/xml")
        # In the sender's line (Redis) before Twilio hears back, unless its MessageSid
        # was seen before (Twilio redelivers when it does not hear back in time), in one
        # step: turns keep arrival order across replicas. Everything else happens in the
        # turn, so Twilio gets its answer at once.
        try:
            fresh = await self.queue.push_once(
                phone, params.get("MessageSid", ""), {"params": params},
                self.settings.message_dedup_seconds,
            )
        except Exception:  # noqa: BLE001 - no Redis: keep this replica's order only
            logger.warning("Redis unreachable: handling %s locally", mask_phone(phone))
            self.turns.submit(phone, lambda: self.line.accept(on_new_message, phone, params))
        else:
            if fresh:
                self.turns.submit(phone, lambda: self.line.work(on_new_message, phone))
        return response.text(EMPTY_TWIML, content_type="text/xml")

    async def _status(self, request: Request) -> Any:
        refused, params = self.guard.check(request)
        if refused:
            return response.text(refused[1], status=refused[0])
        sid, state = params.get("MessageSid"), params.get("MessageStatus")
        if sid and state:
            error = params.get("ErrorCode")
            if error:
                logger.warning("Twilio reports %s for %s: error %s", state, sid, error)
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: self.message_log().update_status(sid, state, error))
        return response.text("", status=204)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("whatsapp_webhook", __name__)

        @hook.route("/webhooks/whatsapp/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> Any:
            return await self._receive(request, on_new_message)

        @hook.route("/webhooks/whatsapp/status", methods=["POST"])
        async def status(request: Request) -> Any:
            return await self._status(request)

        sweeper: Dict[str, "asyncio.Task[None]"] = {}

        def resume(sender: str) -> None:  # a line whose replica died: work it here
            self.turns.submit(sender, lambda: self.line.work(on_new_message, sender))

        @hook.listener("after_server_start")
        async def start_turns(app: Sanic, *_: Any) -> None:
            self._app = app
            # Turns run Python-heavy Rasa code in the worker thread; switching the GIL
            # every millisecond (not 5) lets the web thread answer Twilio promptly.
            sys.setswitchinterval(GIL_SWITCH_SECONDS)
            self.turns.start()
            sweeper["task"] = asyncio.get_running_loop().create_task(
                self.queue.run_sweeper(resume)
            )

        @hook.listener("before_server_stop")
        async def finish_turns(*_: Any) -> None:
            task = sweeper.pop("task", None)
            if task:  # first, so no orphaned line is taken on while we stop
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            # SIGTERM: let the turns under way finish and send their replies first.
            await asyncio.get_running_loop().run_in_executor(
                None, self.turns.stop, DRAIN_SECONDS
            )

        hook.add_route(receive, "/whatsapp-reply", methods=["POST"], name="reply")
        hook.add_route(receive, "/webhooks/whatsapp/webhook", methods=["POST"], name="webhook")
        return hook
