"""One written form per phone number, so that one person is one person everywhere.

WhatsApp (through Twilio) writes a Mexican mobile number sometimes as `+521` + 10 digits
(the old mobile prefix) and sometimes as `+52` + 10 digits: both are the same person. The
normal form is E.164 with Mexico's `1` dropped, behind the channel prefix the address
came with: "whatsapp:+52 1 55 1234 5678" -> "whatsapp:+525512345678".

Phones are normalised where they are stored and where they are compared (the SQL
adapters, the ownership checks of the services), never where they are an address: the
sender id Rasa keys its trackers on and the address replies go to stay as Twilio wrote
them.
"""
from __future__ import annotations

import re

import phonenumbers

# An address longer than this is not a phone number (E.164 has at most 15 digits).
MAX_ADDRESS = 64
# "whatsapp:", "sms:": letters then a colon, kept (lower case) in front of the number.
_PREFIX = re.compile(r"([a-z]{1,16}):", re.IGNORECASE)
# Only a number written with its country code ("+" first) is read, in digits and the
# usual separators: no letters (phonenumbers would read "+1-800-FLOWERS" as digits),
# no guessing the country of "5512345678".
_INTERNATIONAL = re.compile(r"\+[0-9 ().\-]{1,40}")
MEXICO = 52
_MX_LEGACY_MOBILE = re.compile(r"1[0-9]{10}")  # the national number of +521 + 10 digits


def normalize_phone(address: str) -> str:
    """'whatsapp:+5215512345678' and 'whatsapp:+525512345678' -> 'whatsapp:+525512345678';
    '+1 (415) 523-8886' -> '+14155238886'. Anything that is not a number with its
    country code comes back as written, only stripped; never raises."""
    address = (address or "").strip()
    if len(address) > MAX_ADDRESS:
        return address
    prefix, number = "", address
    found = _PREFIX.match(address)
    if found:
        prefix, number = found.group(1).lower() + ":", address[found.end():].strip()
    if not _INTERNATIONAL.fullmatch(number):
        return address
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return address
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code == MEXICO and _MX_LEGACY_MOBILE.fullmatch(national):
        national = national[1:]
    if not national:
        return address
    return f"{prefix}+{parsed.country_code}{national}"


def same_phone(a: str, b: str) -> bool:
    """Are two addresses the same person's number (whatever form each was written in)?"""
    return normalize_phone(a) == normalize_phone(b)
