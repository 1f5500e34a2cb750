"""The day's agenda to AGENT_PHONE_NUMBER once the business opens (DAILY_AGENDA=true), as
a maintenance task: at the first round between the day's opening and its closing, once
per business day however many workers run (a row in `daily_runs` claims the day; a send
that fails gives the claim back, so a later round tries again)."""
from __future__ import annotations

import asyncio
import logging
from typing import Callable, List, Optional

from appointments.adapters.appointment_notices import DailyAgendaNotice, agenda_line
from appointments.adapters.notifiers import Notifier, build_notifiers
from appointments.adapters.sql.daily_runs import SqlDailyRuns
from appointments.services.agenda import Agenda
from appointments.settings import Settings

logger = logging.getLogger("appointments.worker")

JOB = "daily_agenda"


class DailyAgendaTask:
    name = "daily_agenda"

    def __init__(self, settings: Settings, agenda: Callable[[], Agenda],
                 runs: Callable[[], SqlDailyRuns],
                 notifiers: Optional[Callable[[], List[Notifier]]] = None) -> None:
        """`agenda` and `runs` are built at the first round (the database may be down at
        start); `notifiers`: the phone's notifier, built for each send by default."""
        self.settings = settings
        self.agenda = agenda
        self.runs = runs
        self.notifiers = notifiers or self._phone_notifiers

    def _phone_notifiers(self) -> List[Notifier]:
        """The notifier to AGENT_PHONE_NUMBER only (the agenda is not a webhook event)."""
        built = build_notifiers(self.settings)
        return [n for n in built.notifiers if n.name == "twilio"]

    def __call__(self, _stopping: Callable[[], bool]) -> None:
        agenda = self.agenda()
        day = agenda.open_today()
        if day is None:
            return
        notifiers = self.notifiers()  # nothing opened until used
        if not notifiers:
            logger.warning("DAILY_AGENDA is on but AGENT_PHONE_NUMBER/Twilio are not set")
            return
        runs = self.runs()
        if not runs.claim(JOB, day):
            return  # sent already (by this worker or another)
        business = self.settings.business
        lines = []
        for appointment in agenda.day(day):
            if appointment.is_booked:
                offering = business.offering(appointment.service)
                named = offering.name if offering is not None and business.asks_for_service \
                    else None
                lines.append(agenda_line(appointment, named))
        base = (self.settings.agent_console_url or "").rstrip("/")
        notice = DailyAgendaNotice(day, tuple(lines), f"{base}/agent/today" if base else None)
        if asyncio.run(self._send(notifiers, notice)):
            logger.info("daily agenda of %s sent (%d appointments)", day, len(lines))
        else:
            runs.release(JOB, day)
            logger.error("daily agenda of %s not sent; next round tries again", day)

    @staticmethod
    async def _send(notifiers: List[Notifier], notice: DailyAgendaNotice) -> bool:
        try:
            results = await asyncio.gather(*(n.notify(notice) for n in notifiers))
        finally:
            await asyncio.gather(*(n.close() for n in notifiers), return_exceptions=True)
        return any(results)
