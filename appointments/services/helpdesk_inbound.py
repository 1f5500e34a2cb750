"""What a helpdesk's webhook asks of us, once its adapter has authenticated and read it
(appointments/domain/helpdesk.py): an agent's reply goes to the user's WhatsApp through
the HandoffDesk (logged with author "agent" and the agent's name there); "resolved"
gives the conversation back to the bot (closed_by "helpdesk").

Each event is handled once: its id is recorded first (a replay finds it and does
nothing), and forgotten again if handling it failed, so a redelivery can do it. Events
about a conversation that is not one of our open cases are ignored (200: the product
must not keep sending them).
"""
from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Optional

from appointments.domain.handoff import AssistantUnavailable, CaseClosed, CaseNotFound, utc_now
from appointments.domain.helpdesk import (
    OPEN,
    AgentReply,
    Event,
    Helpdesk,
    HelpdeskLinks,
    InboundRequest,
    Resolved,
    WebhookRefused,
)
from appointments.services.handoff_desk import HandoffDesk, SendFailed

logger = logging.getLogger(__name__)

HELPDESK_CLOSER = "helpdesk"


@dataclass(frozen=True)
class Outcome:
    status: int  # the HTTP status to answer the product with
    detail: str  # a short word for the body (never anything the request carried)


class HelpdeskInbound:
    def __init__(self, helpdesks: Mapping[str, Helpdesk], links: HelpdeskLinks,
                 desk: HandoffDesk, clock: Callable[[], datetime] = utc_now) -> None:
        self.helpdesks = dict(helpdesks)
        self.links, self.desk, self.clock = links, desk, clock

    async def _run(self, function: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args))

    async def handle(self, product: str, headers: Mapping[str, str], body: bytes,
                     path_secret: Optional[str] = None) -> Outcome:
        helpdesk = self.helpdesks.get(product)
        if helpdesk is None:
            return Outcome(404, "unknown helpdesk")
        request = InboundRequest(headers, body, path_secret, self.clock())
        try:
            events = helpdesk.parse_webhook(request)
        except WebhookRefused as refused:
            logger.warning("%s webhook refused (%d): %s", product, refused.status,
                           refused.reason)
            return Outcome(refused.status, "refused" if refused.status != 400 else "bad request")
        results = [await self._event(helpdesk.name, event) for event in events]
        if len(results) == 1:
            return results[0]
        failed = [result for result in results if result.status != 200]
        return failed[0] if failed else Outcome(200, "ok")

    async def _event(self, name: str, event: Event) -> Outcome:
        if not isinstance(event, (AgentReply, Resolved)):
            return Outcome(200, "ignored")
        link = await self._run(self.links.by_ref, name, event.ref)
        if link is None or link["status"] != OPEN:
            logger.info("%s event about a conversation that is not an open case: ignored", name)
            return Outcome(200, "ignored")
        if not await self._run(self.links.first_time, name, event.event_id, self.clock()):
            logger.info("%s event replayed: ignored", name)
            return Outcome(200, "replay")
        try:
            if isinstance(event, AgentReply):
                await self.desk.reply(link["case_id"], event.text, event.agent_name)
            else:
                await self.desk.give_back(link["case_id"], closed_by=HELPDESK_CLOSER)
                await self._run(self.links.mark_closed, link["id"], self.clock())
        except (CaseClosed, CaseNotFound):
            logger.info("%s event for case %s, which is closed: ignored", name, link["case_id"])
            return Outcome(200, "case closed")
        except ValueError:  # an empty reply
            return Outcome(200, "ignored")
        except (SendFailed, AssistantUnavailable) as error:
            await self._run(self.links.forget_event, name, event.event_id)
            logger.warning("%s event for case %s not done: %s", name, link["case_id"], error)
            return Outcome(502, "not delivered")
        except Exception:
            await self._run(self.links.forget_event, name, event.event_id)
            logger.exception("%s event for case %s failed", name, link["case_id"])
            return Outcome(503, "failed")
        return Outcome(200, "done")


__all__ = ["HelpdeskInbound", "Outcome", "HELPDESK_CLOSER"]
