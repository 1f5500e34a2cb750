"""The composition root: the only place that builds engines, clients, senders and services.

Each process (Rasa server, action server, console, worker) builds its parts from the
settings on first use, once (`parts()`), never at import time: one database engine with
its schema created once, one Twilio sender, one set of agent notifiers. Swapping an
adapter (SQLite <-> PostgreSQL is DATABASE_URL; a fake Twilio is TWILIO_API_BASE_URL)
happens here and nowhere else. Tests wire their own parts with `use()`.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Optional

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.contact_preferences import SqlContactPreferences
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.reminders import SqlReminderQueue
from appointments.domain.calendar import BusinessCalendar
from appointments.domain.handoff import utc_now
from appointments.domain.reminders import DEFAULT_LEASE
from appointments.services.scheduling import AppointmentService
from appointments.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine

    from appointments.adapters.notifiers import Notifiers
    from appointments.adapters.sql.helpdesk_links import SqlHelpdeskLinks
    from appointments.adapters.rasa_http import RasaClient
    from appointments.adapters.twilio import TwilioSender
    from appointments.rasa.channels.turns import TurnWorker
    from appointments.services.agenda import Agenda
    from appointments.services.business_answers import BusinessAnswers
    from appointments.services.handoff_desk import HandoffDesk
    from appointments.services.helpdesk_inbound import HelpdeskInbound
    from appointments.services.helpdesk_sync import HelpdeskSync
    from appointments.services.llm_answers import LlmAnswers
    from appointments.services.reminders import ReminderService


def _clock(settings: Settings, calendar: BusinessCalendar) -> Callable[[], datetime]:
    """The real clock, or the fixed "now" of NLU_REFERENCE_TIME (tests only), so the
    business rules and the date reader agree on what "mañana" is."""
    fixed = settings.nlu_reference_time
    if fixed is not None:
        return lambda: fixed
    return lambda: datetime.now(calendar.tz)


class Parts:
    """A process's adapters and services, each built on first use and then kept."""

    def __init__(self, settings: Settings, clock: Optional[Callable[[], datetime]] = None,
                 service: Optional[AppointmentService] = None,
                 notifiers: Optional["Notifiers"] = None) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._clock = clock
        # a ready-made service brings its database (its SQL repository's engine)
        self._engine: Optional["Engine"] = getattr(getattr(service, "repository", None),
                                                   "engine", None)
        self._service = service
        self._notifiers = notifiers
        self._cases: Optional[SqlHandoffRepository] = None
        self._log: Optional[SqlMessageLog] = None
        self._preferences: Optional[SqlContactPreferences] = None
        self._sender: Optional["TwilioSender"] = None
        self._answers: Optional["BusinessAnswers"] = None
        self._llm: Optional["LlmAnswers"] = None
        self._notice_worker: Optional["TurnWorker"] = None
        self._helpdesk_sync: Optional["HelpdeskSync"] = None
        self._helpdesk_inbound: Optional["HelpdeskInbound"] = None

    def engine(self) -> "Engine":
        with self._lock:
            if self._engine is None:
                self._engine = create_database_engine(self.settings.database_url)
                create_schema(self._engine)
            return self._engine

    def close(self) -> None:
        """Let go of the database connections (the end of a process)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()

    def appointments(self) -> AppointmentService:
        with self._lock:
            if self._service is None:
                calendar = BusinessCalendar.from_settings(self.settings)
                self._service = AppointmentService(
                    calendar,
                    SqlAppointmentRepository(self.engine(), calendar.tz,
                                             self.settings.reminder_offsets),
                    self._clock or _clock(self.settings, calendar),
                    max_upcoming_per_phone=self.settings.max_active_appointments_per_phone,
                )
            return self._service

    def agenda(self) -> "Agenda":
        """A day's appointments and attendance (the console's "Hoy" page)."""
        from appointments.services.agenda import Agenda

        service = self.appointments()
        return Agenda(service.calendar, service.repository, service.clock)

    def business_answers(self) -> "BusinessAnswers":
        from appointments.services.business_answers import BusinessAnswers

        with self._lock:
            if self._answers is None:
                self._answers = BusinessAnswers(self.settings.business,
                                                self.appointments().calendar)
            return self._answers

    def llm_answers(self) -> Optional["LlmAnswers"]:
        """None unless LLM_BASE_URL, LLM_API_KEY (or OPENAI_API_KEY) and LLM_MODEL are set."""
        if not self.settings.llm_enabled:
            return None
        with self._lock:
            if self._llm is None:
                self._llm = build_llm_answers(self.settings, self.message_log(),
                                              self._clock or _clock(self.settings,
                                                                    self.appointments().calendar))
            return self._llm

    def handoff_cases(self) -> SqlHandoffRepository:
        with self._lock:
            if self._cases is None:
                self._cases = SqlHandoffRepository(self.engine())
            return self._cases

    def message_log(self) -> SqlMessageLog:
        with self._lock:
            if self._log is None:
                self._log = SqlMessageLog(self.engine())
            return self._log

    def contact_preferences(self) -> SqlContactPreferences:
        """Who opted out of our messages (appointments/services/contact.py)."""
        with self._lock:
            if self._preferences is None:
                self._preferences = SqlContactPreferences(self.engine())
            return self._preferences

    def unsubscribed(self, phone: str) -> None:
        """Twilio refused a message with 21610: the phone is opted out from now on."""
        from appointments.domain.contact import SOURCE_UNSUBSCRIBED

        self.contact_preferences().opt_out(phone, utc_now(), SOURCE_UNSUBSCRIBED)

    def may_message(self, phone: str) -> bool:
        """May a proactive message (a reminder) go to `phone`: not opted out."""
        from appointments.services.contact import can_message

        return can_message(self.contact_preferences(), phone)

    def reminders(self, worker_id: str, lease: timedelta = DEFAULT_LEASE,
                  can_message: Optional[Callable[[str], bool]] = None) -> "ReminderService":
        """The reminder sender of a worker: the texts of domain.yml (utter_reminder),
        the date formats of the conversation's language, Twilio (and its templates)."""
        from appointments.domain.date_words import day_text, time_text
        from appointments.rasa.channels.domain_texts import DomainTexts
        from appointments.services.reminders import ReminderService, Wording

        s = self.settings
        service = self.appointments()
        return ReminderService(
            SqlReminderQueue(self.engine(), lease), service.repository, self.message_log(),
            self.twilio_sender(), s.business,
            Wording(DomainTexts(lambda: None).text, day_text, time_text),
            s.reminder_offsets, s.twilio_template_reminder_sid, self._clock or utc_now,
            can_message or self.may_message, worker_id, unsubscribed=self.unsubscribed,
            template_sid_en=s.twilio_template_reminder_sid_en,
        )

    def twilio_sender(self) -> "TwilioSender":
        """One sender for the process: its HTTP helper keeps a session per event loop."""
        from appointments.adapters.twilio import TwilioSender

        with self._lock:
            if self._sender is None:
                s = self.settings
                self._sender = TwilioSender(
                    s.twilio_account_sid or "", s.twilio_auth_token or "",
                    s.twilio_phone_number or "", base_url=s.twilio_api_base_url)
            return self._sender

    def notifiers(self) -> "Notifiers":
        """The agent notifiers AGENT_PHONE_NUMBER / HANDOFF_WEBHOOK_URL configure."""
        from appointments.adapters.notifiers import build_notifiers

        with self._lock:
            if self._notifiers is None:
                s = self.settings
                twilio = s.twilio_account_sid and s.twilio_auth_token and s.twilio_phone_number
                # the process's one sender (not a second one the notifiers would build)
                self._notifiers = build_notifiers(s, sender=self.twilio_sender() if twilio else None)
            return self._notifiers

    def notice_worker(self) -> "TurnWorker":
        """A thread with an event loop of its own where notices go out after the user's
        reply (an action's loop only runs while the action does); one per process."""
        from appointments.rasa.channels.turns import TurnWorker

        with self._lock:
            if self._notice_worker is None:
                self._notice_worker = TurnWorker(concurrent_turns=1, name="business-notices")
            return self._notice_worker

    def rasa_client(self) -> "RasaClient":
        from appointments.adapters.rasa_http import RasaClient

        return RasaClient(self.settings.rasa_url, self.settings.rasa_api_token)

    def handoff_desk(self) -> "HandoffDesk":
        from appointments.services.handoff_desk import HandoffDesk

        return HandoffDesk(self.handoff_cases(), self.message_log(), self.twilio_sender(),
                           self.rasa_client(), self.settings.handoff_timeout_minutes)

    def helpdesk_links(self) -> "SqlHelpdeskLinks":
        from appointments.adapters.sql.helpdesk_links import SqlHelpdeskLinks

        return SqlHelpdeskLinks(self.engine())

    def helpdesk_sync(self) -> Optional["HelpdeskSync"]:
        """Cases into the helpdesks HELPDESK names; None when it names none."""
        from appointments.adapters.helpdesks.registry import build_helpdesks
        from appointments.services.helpdesk_sync import HelpdeskSync

        if not self.settings.helpdesks:
            return None
        with self._lock:
            if self._helpdesk_sync is None:
                s = self.settings
                self._helpdesk_sync = HelpdeskSync(
                    build_helpdesks(s.helpdesks, s.agent_console_url), self.helpdesk_links(),
                    self.handoff_cases(), self.message_log(), s.helpdesk_retry_seconds)
            return self._helpdesk_sync

    def helpdesk_inbound(self) -> Optional["HelpdeskInbound"]:
        """The helpdesks' webhooks (agents' replies, "resolved"); None without HELPDESK."""
        from appointments.services.helpdesk_inbound import HelpdeskInbound

        sync = self.helpdesk_sync()
        if sync is None:
            return None
        with self._lock:
            if self._helpdesk_inbound is None:
                self._helpdesk_inbound = HelpdeskInbound(sync.helpdesks, sync.links,
                                                         self.handoff_desk())
            return self._helpdesk_inbound


_lock = threading.Lock()
_parts: Optional[Parts] = None


def parts() -> Parts:
    """This process's parts, from the environment on first call."""
    global _parts
    with _lock:
        if _parts is None:
            _parts = Parts(Settings.from_env())
        return _parts


def use(wired: Optional[Parts]) -> None:
    """Make `parts()` return WIRED (tests: a fixed clock, their database, fakes)."""
    global _parts
    with _lock:
        _parts = wired


def build_llm_answers(settings: Settings, log: SqlMessageLog,
                      clock: Callable[[], datetime]) -> "LlmAnswers":
    """The LLM answerer: the OpenAI-compatible model, the reviewed prompt, the caps."""
    from appointments.adapters.llm import OpenAiCompatibleModel, read_prompt
    from appointments.services.llm_answers import LlmAnswers

    model = OpenAiCompatibleModel(settings.llm_base_url or "", settings.llm_api_key or "",
                                  settings.llm_model or "", settings.llm_timeout_seconds)
    return LlmAnswers(model, log, settings.business, read_prompt(),
                      settings.llm_daily_cap_per_phone, settings.llm_daily_cap, clock)


def build_service(
    settings: Settings, clock: Optional[Callable[[], datetime]] = None
) -> AppointmentService:
    """A scheduling service on the settings' database (creating its schema)."""
    return Parts(settings, clock).appointments()
