"""`python -m appointments.worker [--interval SECONDS] [--reminder-interval SECONDS] [--once]`

Runs the retention purge at start and then every hour (--interval), and sends the due
appointment reminders every REMINDER_POLL_SECONDS (--reminder-interval) when Twilio is
configured; with DAILY_AGENDA=true, also the day's agenda to AGENT_PHONE_NUMBER
(daily_agenda.py); with HELPDESK, the cases a helpdesk did not take yet and the
conversations to resolve there (helpdesks.py). Logs counts only. Any number may run at once (each reminder goes once).
SIGTERM or Ctrl-C ends it cleanly (exit status 0) after the batch under way.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
from datetime import timedelta
from typing import Any, Callable, List, Optional

from sqlalchemy.engine import Engine

from appointments.bootstrap import Parts
from appointments.settings import Settings, SettingsError
from appointments.worker.loop import MaintenanceLoop, Task
from appointments.worker.reminders import ReminderTask
from appointments.adapters.sql.retention import DEFAULT_BATCH_SIZE, purge_expired
from appointments.adapters.sql.daily_runs import SqlDailyRuns
from appointments.worker.daily_agenda import DailyAgendaTask
from appointments.worker.helpdesks import HelpdeskTask

logger = logging.getLogger("appointments.worker")


class RetentionTask:
    """The purge as a maintenance task. The engine (and the schema, so the purge also
    works when this process starts before the others) is built at the first run, inside
    the loop: a database that is down at start is retried at the next round."""

    name = "retention"

    def __init__(self, engine: Callable[[], Engine], retention_days: int, batch_size: int) -> None:
        self.engine = engine
        self.retention_days = retention_days
        self.batch_size = batch_size

    def __call__(self, stopping: Callable[[], bool]) -> None:
        result = purge_expired(
            self.engine(), self.retention_days, batch_size=self.batch_size, should_stop=stopping
        )
        logger.info(
            "retention (%d days): removed %d messages, %d handoff cases, %d appointments, "
            "%d reminders%s", self.retention_days, result.messages, result.handoff_cases,
            result.appointments, result.reminders, " (stopped early)" if result.stopped else "",
        )


def _reminder_task(parts: Parts, settings: Settings, lease: timedelta) -> Optional[ReminderTask]:
    """The reminders, when they can go out at all (said once in the log otherwise)."""
    s = settings
    if not (s.twilio_account_sid and s.twilio_auth_token and s.twilio_phone_number):
        logger.info("reminders off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                    "TWILIO_PHONE_NUMBER are not all set")
        return None
    if not s.reminder_offsets:
        logger.info("reminders off: REMINDER_OFFSETS is 'none'")
        return None
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    return ReminderTask(lambda: parts.reminders(worker_id, lease),
                        close_sender=lambda: parts.twilio_sender().close())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m appointments.worker",
        description="Retention purge now and then at every interval (RETENTION_DAYS); "
                    "appointment reminders every REMINDER_POLL_SECONDS.",
    )
    parser.add_argument("--interval", type=float, default=3600.0, metavar="SECONDS",
                        help="seconds between rounds (default 3600)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--reminder-interval", type=float, metavar="SECONDS",
                        help="seconds between reminder rounds (default REMINDER_POLL_SECONDS)")
    parser.add_argument("--claim-timeout", type=float, default=300.0, metavar="SECONDS",
                        help="a reminder claimed this long ago by a worker that died is "
                             "taken again (default 300)")
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    return parser


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    project_logger = logging.getLogger("appointments")
    project_logger.addHandler(handler)
    project_logger.setLevel(logging.INFO)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.interval <= 0 or args.batch_size < 1 or args.claim_timeout <= 0 or (
            args.reminder_interval is not None and args.reminder_interval <= 0):
        print("--interval, --reminder-interval y --claim-timeout deben ser positivos y "
              "--batch-size al menos 1", file=sys.stderr)
        return 2
    _configure_logging()
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Configuración inválida: {error}", file=sys.stderr)
        return 2
    parts = Parts(settings)
    retention = RetentionTask(parts.engine, settings.retention_days, args.batch_size)
    tasks = [Task(retention.name, retention)]
    if settings.daily_agenda:
        agenda = DailyAgendaTask(settings, parts.agenda, lambda: SqlDailyRuns(parts.engine()))
        tasks.append(Task(agenda.name, agenda))
    reminders = _reminder_task(parts, settings, timedelta(seconds=args.claim_timeout))
    if reminders is not None:
        tasks.append(Task(reminders.name, reminders,
                          args.reminder_interval or settings.reminder_poll_seconds))
    helpdesks = HelpdeskTask(parts.helpdesk_sync) if settings.helpdesks else None
    if helpdesks is not None:
        tasks.append(Task(helpdesks.name, helpdesks, min(30, settings.helpdesk_retry_seconds)))
    loop = MaintenanceLoop(tasks, args.interval)

    received: List[str] = []

    def request_stop(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)  # logged later: a handler must
        loop.stop()  # not take the logging lock the interrupted code may hold
        # A second Ctrl-C (or SIGTERM) ends the process at once.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        loop.run(once=args.once)
    finally:
        if reminders is not None:
            reminders.close()
        if helpdesks is not None:
            helpdesks.close()
        parts.close()
    if received:
        logger.info("%s received: stopped cleanly", received[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
