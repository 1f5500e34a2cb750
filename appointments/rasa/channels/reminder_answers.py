"""The answer to a reminder, read against it: *1* confirm, *2* change, *3* cancel.

Only when the last message the phone got from us was a reminder (the message log says
which appointment it was about) is a bare "1", "Cancelar" or a template button read
here; it reaches Rasa as the intent with the appointment already chosen, whatever step
the conversation was at and even if its tracker expired. Anything else goes on as usual.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable, Dict, Optional

from appointments.domain.reminders import code_in_key
from appointments.interpret.reminder_reply import ReminderChoice, read_reminder_reply
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

INTENTS = {
    ReminderChoice.CONFIRM: "confirm_appointment",
    ReminderChoice.CHANGE: "reschedule_appointment",
    ReminderChoice.CANCEL: "cancel_appointment",
}


class ReminderAnswers:
    def __init__(self, last_outbound_key: Callable[[str], Optional[str]]) -> None:
        """LAST_OUTBOUND_KEY(phone): the idempotency key of the last message sent to the
        phone (MessageLog.last_outbound_key; blocking, so run off the loop)."""
        self._last_outbound_key = last_outbound_key

    def _reminded_code(self, phone: str) -> Optional[str]:
        return code_in_key(self._last_outbound_key(phone))

    async def payload(self, phone: str, body: str, metadata: Dict[str, Any]) -> Optional[str]:
        """The Rasa payload the message stands for, or None to read it as usual."""
        choice = read_reminder_reply(body, metadata.get("ButtonPayload"))
        if choice is None:
            return None
        try:
            code = await asyncio.get_running_loop().run_in_executor(
                None, self._reminded_code, phone)
        except Exception:  # noqa: BLE001 - without the log, read the message as usual
            logger.exception("could not look up the last reminder of %s", mask_phone(phone))
            return None
        if not code:
            return None
        return f"/{INTENTS[choice]}{json.dumps({'appointment_code': code})}"
