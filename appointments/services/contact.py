"""Opting out of our messages and back in (appointments/domain/contact.py), over the
ContactPreferences port.

- `record_wish`: the person wrote an opt-out or opt-in word (appointments/interpret/
  opt_out.py reads it; the WhatsApp channel calls this and answers).
- `record_send_result`: a send came back with Twilio's 21610 (the recipient
  unsubscribed): from then on they are opted out, as if they had written "BAJA".
- `can_message`: may a proactive message (a reminder, a notice) go to this phone?
  Answers to what the person writes are not proactive and always go.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from appointments.domain.contact import SOURCE_UNSUBSCRIBED, SOURCE_USER, UNSUBSCRIBED_ERROR
from appointments.domain.ports import ContactPreferences
from appointments.interpret.opt_out import OPT_IN, OPT_OUT
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)


def record_wish(preferences: ContactPreferences, phone: str, wish: str, at: datetime) -> bool:
    """OPT_OUT or OPT_IN, as the person wrote it; True when their state changed."""
    if wish == OPT_OUT:
        changed = preferences.opt_out(phone, at, SOURCE_USER)
    elif wish == OPT_IN:
        changed = preferences.opt_in(phone, at)
    else:
        raise ValueError(f"not a wish: {wish!r}")
    if changed:
        logger.info("%s opted %s", mask_phone(phone), "out" if wish == OPT_OUT else "in")
    return changed


def record_send_result(preferences: ContactPreferences, phone: str, result: Any,
                       at: datetime) -> bool:
    """After sending to `phone`: a result carrying Twilio's 21610 opts the phone out
    (source "twilio_21610"); True when that happened now. Any other result: False."""
    if getattr(result, "error_code", None) != UNSUBSCRIBED_ERROR:
        return False
    changed = preferences.opt_out(phone, at, SOURCE_UNSUBSCRIBED)
    if changed:
        logger.info("%s unsubscribed (Twilio 21610): opted out", mask_phone(phone))
    return changed


def can_message(preferences: ContactPreferences, phone: str) -> bool:
    """False when the phone opted out: no reminder nor notice may go to it."""
    return not preferences.is_opted_out(phone)


__all__ = ["OPT_IN", "OPT_OUT", "can_message", "record_send_result", "record_wish"]
