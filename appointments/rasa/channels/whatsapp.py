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
- A turn that leaves the user without an answer (action server down, Rasa error) and
  did not pause the bot for a human gets utter_try_again_later.
- Typed "/intent{...}" payloads are neutralised; a numbered reply to buttons becomes
  the button's payload. Every message in and out goes to the message log.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from appointments.rasa.channels.buttons import ButtonMemory
from appointments.rasa.channels.rate_limit import RateLimiter, Verdict
from appointments.rasa.channels.domain_texts import DomainTexts
from appointments.rasa.channels.handoff_wait import ACKNOWLEDGEMENT, HandoffWait
from appointments.rasa.channels.limits import MAX_MESSAGE_CHARS
from appointments.rasa.channels.rendering import render, split
from appointments.rasa.channels.sender_queue import SenderQueue
from appointments.rasa.channels.turns import TurnWorker
from appointments.rasa.channels.twilio_request import PerLoop, message_metadata
from appointments.adapters.redis_retry import async_client
from appointments.adapters.twilio import TwilioSender
from appointments.rasa.channels.whatsapp_output import CollectingOutput, WhatsAppOutput
from appointments.rasa.channels.webhook_guard import WebhookGuard
from appointments.settings import Settings
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import INBOUND, OUTBOUND, SqlMessageLog
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
GIL_SWITCH_SECONDS = 0.001
DRAIN_SECONDS = 20.0  # on shutdown, how long turns under way may take to finish


class WhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WhatsAppInput":
        return cls(Settings.from_env())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.guard = WebhookGuard(settings)
        self._senders: PerLoop[TwilioSender] = PerLoop(
            lambda: TwilioSender(
                settings.twilio_account_sid or "",
                settings.twilio_auth_token or "",
                settings.twilio_phone_number or "",
                base_url=settings.twilio_api_base_url,
            )
        )
        self._redis: PerLoop[Any] = PerLoop(self._new_redis)
        self._log: Optional[SqlMessageLog] = None
        self.wait = HandoffWait(self._agent, lambda: SqlHandoffRepository(self.message_log().engine))
        self._app: Optional[Sanic] = None  # the Rasa server; its ctx.agent has the domain
        self.texts = DomainTexts(self._agent)
        self.keys = f"{settings.redis_key_prefix}:twilio"  # Redis keys of this channel
        self.queue = SenderQueue(self.redis, prefix=self.keys)
        self.buttons = ButtonMemory(self.redis, self.keys)
        self.rate_limiter = RateLimiter(
            self.redis, settings.whatsapp_rate_limit, settings.whatsapp_rate_window_seconds,
            prefix=f"{self.keys}:rate",
        )
        # A few turns at a time: each runs Rasa's predictions, and more at once only
        # makes every one of them slower.
        self.turns = TurnWorker(settings.whatsapp_concurrent_turns)

    def url_prefix(self) -> Text:
        return "/"  # routes below carry their full paths, incl. the root /whatsapp-reply

    # --- collaborators, built on first use inside the server's event loop --------

    def _new_redis(self) -> Any:
        return async_client(self.settings.redis_url)

    def redis(self) -> Any:
        return self._redis.get()

    @property
    def sender(self) -> TwilioSender:
        return self._senders.get()

    def get_output_channel(self) -> OutputChannel:
        """Where Rasa's HTTP API sends bot messages for this channel (e.g. the
        `trigger_intent` an agent's "Devolver al asistente" makes)."""
        return WhatsAppOutput(self)

    def message_log(self) -> SqlMessageLog:
        if self._log is None:
            engine = create_database_engine(self.settings.database_url)
            create_schema(engine)
            self._log = SqlMessageLog(engine)
        return self._log

    async def log(self, **record: Any) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: self.message_log().record(**record)
            )
        except Exception:  # noqa: BLE001 - the conversation must go on without the log
            logger.exception("message log write failed")

    # --- a turn --------------------------------------------------------------------

    async def user_text(self, phone: str, body: str, has_media: bool = False) -> str:
        return await self.buttons.user_text(phone, body[:MAX_MESSAGE_CHARS], has_media)

    def _agent(self) -> Any:
        """The agent the Rasa server serves now (replaced when a model is loaded)."""
        return getattr(self._app.ctx, "agent", None) if self._app else None

    def domain_text(self, response_name: str) -> Optional[str]:
        return self.texts.text(response_name)

    async def _paused(self, phone: str) -> bool:
        """Did the turn hand the conversation to a human (so silence is expected)?"""
        agent = self._agent()
        try:
            tracker = await agent.tracker_store.retrieve(phone) if agent else None
        except Exception:  # noqa: BLE001
            logger.exception("could not read the tracker of %s", mask_phone(phone))
            return False
        return bool(tracker and tracker.is_paused())

    async def _work_line(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], phone: str
    ) -> None:
        """Handle what is queued for `phone` in Redis, in order (retrying while Redis
        restarts; what is queued stays queued)."""
        for delay in (0.5, 1.0, 2.0, 4.0, None):
            try:
                await self.queue.drain(
                    phone, lambda item: self._accept(on_new_message, phone, item["params"])
                )
                return
            except Exception:  # noqa: BLE001
                if delay is None:
                    logger.exception("gave up on the line of %s for now", mask_phone(phone))
                    return
                logger.warning("line of %s: Redis error; retrying", mask_phone(phone))
                await asyncio.sleep(delay)

    async def _accept(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        phone: str,
        params: Dict[str, str],
    ) -> None:
        """Log, rate-limit and run one inbound message (on the turn worker's loop)."""
        message_sid = params.get("MessageSid", "")
        metadata = message_metadata(params)
        media = metadata["media"]
        body = params.get("Body", "")
        await self.log(
            direction=INBOUND, phone=phone, body=body, status="received",
            message_sid=message_sid or None, media=media,
        )
        verdict = await self.rate_limiter.check(phone)
        if verdict is not Verdict.ALLOW:
            logger.warning("%s is over the rate limit; not answered", mask_phone(phone))
            if verdict is Verdict.WARN:
                await self.send_texts(phone, [self.domain_text("utter_rate_limited")])
            return
        await self._run_turn(on_new_message, phone, body, metadata)

    async def _run_turn(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        phone: str,
        body: str,
        metadata: Dict[str, Any],
    ) -> None:
        output = CollectingOutput()
        text = await self.user_text(phone, body, bool(metadata.get("media")))
        failed = False
        async with self.turns.slot():
            try:
                text = await self.wait.before(phone, text) or text
                await on_new_message(
                    UserMessage(text, output, phone, input_channel=self.name(), metadata=metadata)
                )
                if not output.messages and await self.wait.should_acknowledge(phone):
                    output.messages.append({"text": self.domain_text(ACKNOWLEDGEMENT)})
            except Exception:  # noqa: BLE001
                failed = True
                logger.exception("turn failed for %s", mask_phone(phone))
        if not output.messages and (failed or not await self._paused(phone)):
            # Rasa logs and swallows a failed custom action: the user would hear nothing.
            logger.warning("turn of %s gave no answer; asking to try again", mask_phone(phone))
            await self.send_texts(phone, [self.domain_text("utter_try_again_later")])
            return
        await self.buttons.remember(phone, output.messages)
        await self.send_messages(phone, output.messages)

    async def send_texts(self, phone: str, texts: List[Optional[str]]) -> None:
        await self.send_messages(phone, [{"text": text} for text in texts if text])

    async def send_messages(self, phone: str, messages: List[Dict[str, Any]]) -> None:
        """Send in order, one after the other, and log each part."""
        for message in messages:
            for chunk in split(render(message)):
                result = await self.sender.send(phone, chunk)
                await self.log(
                    direction=OUTBOUND, phone=phone, body=chunk, status=result.status,
                    message_sid=result.sid, error=result.error,
                )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("whatsapp_webhook", __name__)

        @hook.route("/webhooks/whatsapp/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> Any:
            refused, params = self.guard.check(request)
            if refused:
                return response.text(refused[1], status=refused[0])
            phone = params.get("From", "")
            if not phone:
                return response.text(EMPTY_TWIML, content_type="text/xml")
            # In the sender's line (Redis) before Twilio hears back, unless its
            # MessageSid was seen before (Twilio redelivers when it does not hear back in
            # time), in one step: turns keep arrival order across replicas. Everything
            # else happens in the turn, so Twilio gets its answer at once.
            try:
                fresh = await self.queue.push_once(
                    phone, params.get("MessageSid", ""), {"params": params},
                    self.settings.message_dedup_seconds,
                )
            except Exception:  # noqa: BLE001 - no Redis: keep this replica's order only
                logger.warning("Redis unreachable: handling %s locally", mask_phone(phone))
                self.turns.submit(phone, lambda: self._accept(on_new_message, phone, params))
            else:
                if fresh:
                    self.turns.submit(phone, lambda: self._work_line(on_new_message, phone))
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @hook.route("/webhooks/whatsapp/status", methods=["POST"])
        async def status(request: Request) -> Any:
            refused, params = self.guard.check(request)
            if refused:
                return response.text(refused[1], status=refused[0])
            sid, state = params.get("MessageSid"), params.get("MessageStatus")
            if sid and state:
                error = params.get("ErrorCode")
                if error:
                    logger.warning("Twilio reports %s for %s: error %s", state, sid, error)
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda: self.message_log().update_status(sid, state, error)
                )
            return response.text("", status=204)

        sweeper: Dict[str, "asyncio.Task[None]"] = {}

        def resume(sender: str) -> None:  # a line whose replica died: work it here
            self.turns.submit(sender, lambda: self._work_line(on_new_message, sender))

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
