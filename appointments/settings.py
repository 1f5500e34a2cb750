"""Every environment variable the project reads, parsed and validated in one place.

`Settings.from_env()` is called by whoever wires the application (the action server,
the NLU component, the channel); nothing reads `os.environ` elsewhere.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, FrozenSet, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appointments.adapters.business_file import (
    BusinessFileError,
    check_periods,
    load_profile,
    parse_period,
)
from appointments.adapters.helpdesks.registry import read_helpdesks
from appointments.domain.business import BusinessProfile, Period, WeeklyHours
from appointments.domain.reminders import DEFAULT_OFFSETS
from appointments.settings_values import (  # SettingsError and BUSINESS_EVENTS: also from here
    BUSINESS_EVENTS,
    SettingsError,
    read_business_notify,
    read_flag,
    read_int,
    read_key_prefix,
    read_redis_url,
    read_reference_time,
    read_reminder_offsets,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
DEFAULT_BUSINESS_FILE = PROJECT_ROOT / "business.yml"


def parse_business_hours(spec: str) -> WeeklyHours:
    """Parse "mon-fri 09:00-14:00,16:00-19:00; sat 09:00-13:00" into
    {weekday: ((open, close), ...)} (several periods: a break between them).

    Weekdays not named are closed. A later entry overrides an earlier one.
    """
    hours: Dict[int, Tuple[Period, ...]] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(\S.*)", part.lower())
        if not match or match.group(1) not in WEEKDAYS or (
            match.group(2) and match.group(2) not in WEEKDAYS
        ):
            raise SettingsError(
                f"BUSINESS_HOURS: cannot read '{part}'; expected e.g. 'mon-fri 09:00-18:00'"
            )
        try:
            periods = check_periods(
                [parse_period(p) for p in match.group(3).split(",")], part)
        except ValueError as error:
            raise SettingsError(f"BUSINESS_HOURS: {error}") from None
        first = WEEKDAYS[match.group(1)]
        last = WEEKDAYS[match.group(2)] if match.group(2) else first
        for weekday in range(first, last + 1):
            hours[weekday] = periods
    return hours


def load_business(env: Mapping[str, str]) -> Tuple[Path, BusinessProfile]:
    """business.yml (or BUSINESS_FILE), with the scheduling variables of the environment
    overriding it when set (deployments keep working as before the file existed)."""
    path = Path(env.get("BUSINESS_FILE") or DEFAULT_BUSINESS_FILE)
    try:
        profile = load_profile(path)  # a missing file is an error too: no silent defaults
    except BusinessFileError as error:
        raise SettingsError(f"BUSINESS_FILE: {error}") from None
    changes: Dict[str, object] = {}
    if env.get("BUSINESS_TIMEZONE"):
        changes["timezone"] = env["BUSINESS_TIMEZONE"]
    if env.get("BUSINESS_HOURS"):
        changes["hours"] = parse_business_hours(env["BUSINESS_HOURS"])
    for name, field_name, minimum in (
        ("SLOT_MINUTES", "slot_minutes", 5),
        ("BOOKING_HORIZON_DAYS", "booking_horizon_days", 1),
        ("MIN_NOTICE_MINUTES", "min_notice_minutes", 0),
    ):
        if env.get(name, "").strip():
            changes[field_name] = read_int(env, name, 0, minimum=minimum)
    if "HOLIDAYS_COUNTRY" in env:
        country = env["HOLIDAYS_COUNTRY"].strip().upper()
        changes["holidays_country"] = None if country in ("", "NONE") else country
    profile = replace(profile, **changes)  # type: ignore[arg-type]
    if 24 * 60 % profile.slot_minutes:
        raise SettingsError("SLOT_MINUTES must divide a day evenly (e.g. 15, 20, 30, 60)")
    try:
        ZoneInfo(profile.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"BUSINESS_TIMEZONE: unknown time zone '{profile.timezone}'") from None
    return path, profile




@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'appointments.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_key_prefix: str = "citas"  # every key the project writes starts with it
    # Conversation events to RabbitMQ (appointments/rasa/event_broker.py); unset: none
    rabbitmq_url: Optional[str] = None
    rabbitmq_queue: str = "citas_events"
    timezone: str = "America/Mexico_City"  # the business's (business.yml or BUSINESS_TIMEZONE)
    # The business: business.yml (BUSINESS_FILE), hours and booking rules overridable by
    # BUSINESS_HOURS, SLOT_MINUTES, BOOKING_HORIZON_DAYS, MIN_NOTICE_MINUTES, HOLIDAYS_COUNTRY
    business_file: Path = DEFAULT_BUSINESS_FILE
    business: BusinessProfile = field(default_factory=BusinessProfile)
    rasa_api_token: Optional[str] = None
    twilio_account_sid: Optional[str] = None
    twilio_auth_token: Optional[str] = None
    twilio_phone_number: Optional[str] = None
    # WhatsApp channel (appointments/channels)
    public_url: Optional[str] = None
    twilio_validate_signature: bool = True
    trust_proxy_headers: bool = False
    twilio_api_base_url: str = "https://api.twilio.com"
    message_dedup_seconds: int = 24 * 3600
    whatsapp_concurrent_turns: int = 2
    whatsapp_rate_limit: int = 20  # messages per sender per window; 0 switches it off
    whatsapp_rate_window_seconds: int = 60
    # Human handoff (appointments/handoff) and the agent console
    agent_phone_number: Optional[str] = None  # notified by WhatsApp ("whatsapp:+...") or SMS
    handoff_webhook_url: Optional[str] = None  # signed JSON POST for a helpdesk
    handoff_webhook_secret: Optional[str] = None
    # which appointment changes those two notify (BUSINESS_NOTIFY; see BUSINESS_EVENTS)
    business_notify: FrozenSet[str] = frozenset(BUSINESS_EVENTS)
    daily_agenda: bool = False  # the day's agenda to AGENT_PHONE_NUMBER at opening (worker)
    agent_console_token: Optional[str] = None
    agent_console_url: Optional[str] = None  # public address of the console, for links
    agent_console_port: int = 5056
    handoff_timeout_minutes: int = 240
    fallbacks_before_handoff: int = 3
    # The helpdesks a case also opens in (HELPDESK; appointments/adapters/helpdesks/):
    # ((name, its settings), ...), credentials never printed
    helpdesks: Tuple[Tuple[str, Any], ...] = field(default=(), repr=False)
    helpdesk_retry_seconds: int = 60  # first wait before opening a case there again
    rasa_url: str = "http://127.0.0.1:5005"
    # Security (README "Seguridad")
    bind_host: str = "127.0.0.1"  # where Rasa, the action server and the console listen
    action_server_token: Optional[str] = None  # shared secret Rasa sends to the action server
    action_threads: int = 8  # actions running at once, each off the server's event loop
    rest_channel_token: Optional[str] = None  # Bearer token for REST when not on loopback
    rest_allow_whatsapp_senders: bool = False  # REST may speak as "whatsapp:+..." (tests only)
    rasa_cors_origins: Optional[str] = None  # e.g. "https://panel.example.com"; unset: none
    max_active_appointments_per_phone: int = 3  # future appointments one phone may hold
    retention_days: int = 180  # messages, transcripts and closed cases older than this go
    agent_accounts: Optional[str] = None  # "ana:<hash>,luis:<hash>" (make agent-add)
    agent_accounts_file: Path = PROJECT_ROOT / "var" / "agent-accounts"
    # Optional LLM answers (appointments/services/llm_answers.py)
    llm_base_url: Optional[str] = None  # any OpenAI-compatible API, e.g. ".../v1"; unset: off
    llm_api_key: Optional[str] = field(default=None, repr=False)  # never printed or logged
    llm_model: Optional[str] = None
    llm_timeout_seconds: int = 8  # per network step of the one call (no retries)
    llm_daily_cap_per_phone: int = 20  # model calls per phone per business day
    llm_daily_cap: int = 500  # model calls in all per business day
    # Appointment reminders (appointments/services/reminders.py, sent by the worker)
    reminder_offsets: Tuple[timedelta, ...] = DEFAULT_OFFSETS  # before the start
    reminder_poll_seconds: int = 30
    twilio_template_reminder_sid: Optional[str] = None  # HX... (Content Template Builder)
    twilio_template_reminder_sid_en: Optional[str] = None  # the same, in English

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_api_key and self.llm_model)

    # Fixed "now" for reading relative dates ("mañana") and for the business rules, for
    # reproducible tests (`make test-stories`, the conversation suite); unset in production.
    nlu_reference_time: Optional[datetime] = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        business_file, business = load_business(env)
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            redis_url=read_redis_url(env),
            redis_key_prefix=read_key_prefix(env),
            rabbitmq_url=env.get("RABBITMQ_URL") or None,
            rabbitmq_queue=env.get("RABBITMQ_QUEUE") or cls.rabbitmq_queue,
            timezone=business.timezone,
            business_file=business_file,
            business=business,
            rasa_api_token=env.get("RASA_API_TOKEN") or None,
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_phone_number=env.get("TWILIO_PHONE_NUMBER") or None,
            nlu_reference_time=read_reference_time(env.get("NLU_REFERENCE_TIME")),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
            twilio_validate_signature=read_flag(env, "TWILIO_VALIDATE_SIGNATURE", True),
            trust_proxy_headers=read_flag(env, "TRUST_PROXY_HEADERS", False),
            twilio_api_base_url=(env.get("TWILIO_API_BASE_URL") or cls.twilio_api_base_url).rstrip("/"),
            message_dedup_seconds=read_int(env, "MESSAGE_DEDUP_SECONDS", 24 * 3600, minimum=60),
            whatsapp_concurrent_turns=read_int(env, "WHATSAPP_CONCURRENT_TURNS", 2, minimum=1),
            whatsapp_rate_limit=read_int(env, "WHATSAPP_RATE_LIMIT", cls.whatsapp_rate_limit),
            whatsapp_rate_window_seconds=read_int(
                env, "WHATSAPP_RATE_WINDOW_SECONDS", cls.whatsapp_rate_window_seconds, minimum=1
            ),
            agent_phone_number=env.get("AGENT_PHONE_NUMBER") or None,
            handoff_webhook_url=env.get("HANDOFF_WEBHOOK_URL") or None,
            handoff_webhook_secret=env.get("HANDOFF_WEBHOOK_SECRET") or None,
            business_notify=read_business_notify(env),
            daily_agenda=read_flag(env, "DAILY_AGENDA", False),
            agent_console_token=env.get("AGENT_CONSOLE_TOKEN") or None,
            agent_console_url=(env.get("AGENT_CONSOLE_URL") or "").rstrip("/") or None,
            agent_console_port=read_int(env, "AGENT_CONSOLE_PORT", 5056, minimum=1),
            handoff_timeout_minutes=read_int(env, "HANDOFF_TIMEOUT_MINUTES", 240, minimum=1),
            fallbacks_before_handoff=read_int(env, "FALLBACKS_BEFORE_HANDOFF", 3, minimum=1),
            helpdesks=read_helpdesks(env.get("HELPDESK"), env),
            helpdesk_retry_seconds=read_int(env, "HELPDESK_RETRY_SECONDS", 60, minimum=1),
            rasa_url=(env.get("RASA_URL") or cls.rasa_url).rstrip("/"),
            bind_host=env.get("BIND_HOST") or cls.bind_host,
            action_server_token=env.get("ACTION_SERVER_TOKEN") or None,
            action_threads=read_int(env, "ACTION_THREADS", cls.action_threads, minimum=1),
            rest_channel_token=env.get("REST_CHANNEL_TOKEN") or None,
            rest_allow_whatsapp_senders=read_flag(env, "REST_ALLOW_WHATSAPP_SENDERS", False),
            rasa_cors_origins=env.get("RASA_CORS_ORIGINS") or None,
            max_active_appointments_per_phone=read_int(
                env, "MAX_ACTIVE_APPOINTMENTS_PER_PHONE", 3, minimum=1
            ),
            retention_days=read_int(env, "RETENTION_DAYS", cls.retention_days, minimum=1),
            agent_accounts=env.get("AGENT_ACCOUNTS") or None,
            agent_accounts_file=Path(env.get("AGENT_ACCOUNTS_FILE") or cls.agent_accounts_file),
            llm_base_url=(env.get("LLM_BASE_URL") or "").strip().rstrip("/") or None,
            llm_api_key=(env.get("LLM_API_KEY") or env.get("OPENAI_API_KEY") or "").strip() or None,
            llm_model=(env.get("LLM_MODEL") or "").strip() or None,
            llm_timeout_seconds=read_int(
                env, "LLM_TIMEOUT_SECONDS", cls.llm_timeout_seconds, minimum=1
            ),
            llm_daily_cap_per_phone=read_int(
                env, "LLM_DAILY_CAP_PER_PHONE", cls.llm_daily_cap_per_phone, minimum=1
            ),
            llm_daily_cap=read_int(env, "LLM_DAILY_CAP", cls.llm_daily_cap, minimum=1),
            reminder_offsets=read_reminder_offsets(env.get("REMINDER_OFFSETS")),
            reminder_poll_seconds=read_int(env, "REMINDER_POLL_SECONDS", 30, minimum=1),
            twilio_template_reminder_sid=(env.get("TWILIO_TEMPLATE_REMINDER_SID") or "").strip()
            or None,
            twilio_template_reminder_sid_en=(
                env.get("TWILIO_TEMPLATE_REMINDER_SID_EN") or "").strip() or None,
        )
