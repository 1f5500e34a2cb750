"""Reading one environment value and refusing one the project cannot use: whole numbers,
flags, and the values that need more (BUSINESS_NOTIFY, NLU_REFERENCE_TIME, REMINDER_OFFSETS,
the Redis address and key prefix). appointments/settings.py puts them together in `Settings`.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import FrozenSet, Mapping, Optional, Tuple

from appointments.domain.reminders import parse_offsets


class SettingsError(ValueError):
    """A setting has a value the project cannot use; the message says which and why."""


def read_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got '{raw}'") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def read_flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got '{raw}'")


# What BUSINESS_NOTIFY may name: the appointment changes the business hears about.
BUSINESS_EVENTS = ("booked", "rescheduled", "cancelled")


def read_business_notify(env: Mapping[str, str]) -> FrozenSet[str]:
    """BUSINESS_NOTIFY: "booked,cancelled"; unset or empty: all; "none": none."""
    raw = env.get("BUSINESS_NOTIFY", "").strip().lower() or ",".join(BUSINESS_EVENTS)
    named = set() if raw == "none" else {part.strip() for part in raw.split(",")} - {""}
    unknown = ", ".join(sorted(named - set(BUSINESS_EVENTS)))
    if unknown:
        raise SettingsError(f"BUSINESS_NOTIFY: unknown {unknown}; use any of "
                            f"{','.join(BUSINESS_EVENTS)}, or none")
    return frozenset(named)


def read_reference_time(raw: Optional[str]) -> Optional[datetime]:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"NLU_REFERENCE_TIME: '{raw}' is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise SettingsError("NLU_REFERENCE_TIME needs a UTC offset, e.g. 2026-11-25T10:00-06:00")
    return moment


def read_reminder_offsets(raw: Optional[str]) -> Tuple[timedelta, ...]:
    try:
        return parse_offsets(raw or "")
    except ValueError as error:
        raise SettingsError(f"REMINDER_OFFSETS: {error}; e.g. '24h,2h' or 'none'") from None


def read_redis_url(env: Mapping[str, str]) -> str:
    if env.get("REDIS_URL"):
        return env["REDIS_URL"]
    host = env.get("REDIS_HOST") or "127.0.0.1"
    port = read_int(env, "REDIS_PORT", 6379, minimum=1)
    password = env.get("REDIS_PASSWORD")
    auth = f":{password}@" if password else ""
    return f"redis://{auth}{host}:{port}/{read_int(env, 'REDIS_DB', 0)}"


def read_key_prefix(env: Mapping[str, str]) -> str:
    prefix = env.get("REDIS_KEY_PREFIX") or "citas"
    if not prefix.isalnum():  # Rasa's Redis stores ignore a prefix that is not
        raise SettingsError(f"REDIS_KEY_PREFIX must be letters and digits only, got '{prefix}'")
    return prefix
