"""What log lines may show of a person: never a whole phone number.

Log lines, error messages and Redis keys shown to operators go through these helpers.
Nothing here knows about storage or channels; it is plain text handling.
"""
from __future__ import annotations

import re

VISIBLE_DIGITS = 4  # the most of a number a log line may show: its last four
SHORT_NUMBER = 8  # numbers (or ids) shorter than this are masked whole

# A phone-like run of digits inside free text (a Redis key, an error message): seven or
# more digits, optionally after '+'. Linear time: a single character class, no nesting.
PHONE_IN_TEXT = re.compile(r"\+?\d{7,}")


def _mask_identifier(identifier: str) -> str:
    """Every letter and digit but the last four become '*'; all of them when short.

    A leading '+' and punctuation stay, so the shape of the number is still readable."""
    positions = [i for i, char in enumerate(identifier) if char.isalnum()]
    visible = VISIBLE_DIGITS if len(positions) >= SHORT_NUMBER else 0
    hidden = set(positions[: len(positions) - visible])
    return "".join("*" if i in hidden else char for i, char in enumerate(identifier))


def mask_phone(phone: str) -> str:
    """'whatsapp:+5215512345678' -> 'whatsapp:+*********5678', for log lines.

    The channel prefix ('whatsapp:', or a Redis key's 'citas:twilio:lease:whatsapp:')
    is kept; only the last four characters of the number stay, and nothing at all of a
    short one. Digits in the prefix are masked too, in case a number hides there."""
    prefix, colon, number = (phone or "").rpartition(":")
    prefix = re.sub(r"\d", "*", prefix)
    return f"{prefix}{colon}{_mask_identifier(number)}"


def mask_key(key: str) -> str:
    """A Redis key whose last part is a sender ('citas:twilio:lease:whatsapp:+52...')."""
    return mask_phone(key)


def redact_phones(text: str) -> str:
    """Free text (an error message, a URL) with every phone-like number masked."""
    return PHONE_IN_TEXT.sub(lambda match: _mask_identifier(match.group(0)), text or "")


__all__ = ["mask_phone", "mask_key", "redact_phones"]
