"""`python -m appointments.worker [--interval SECONDS] [--once]`

Runs the retention purge at start and then every hour (--interval), logging counts only.
SIGTERM or Ctrl-C ends it cleanly (exit status 0) after the batch under way.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any, Callable, List, Optional

from sqlalchemy.engine import Engine

from appointments.worker.loop import MaintenanceLoop, Task
from appointments.settings import Settings, SettingsError
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.retention import DEFAULT_BATCH_SIZE, purge_expired

logger = logging.getLogger("appointments.worker")


class RetentionTask:
    """The purge as a maintenance task; the schema is made (once) before the first one,
    so the purge also works when this process starts before the others."""

    name = "retention"

    def __init__(self, engine: Engine, retention_days: int, batch_size: int) -> None:
        self.engine = engine
        self.retention_days = retention_days
        self.batch_size = batch_size
        self._schema_ready = False

    def __call__(self, stopping: Callable[[], bool]) -> None:
        if not self._schema_ready:
            create_schema(self.engine)
            self._schema_ready = True
        result = purge_expired(
            self.engine, self.retention_days, batch_size=self.batch_size, should_stop=stopping
        )
        logger.info(
            "retention (%d days): removed %d messages, %d handoff cases, %d appointments%s",
            self.retention_days, result.messages, result.handoff_cases, result.appointments,
            " (stopped early)" if result.stopped else "",
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m appointments.worker",
        description="Retention purge now and then at every interval (RETENTION_DAYS).",
    )
    parser.add_argument("--interval", type=float, default=3600.0, metavar="SECONDS",
                        help="seconds between rounds (default 3600)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})")
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
    if args.interval <= 0 or args.batch_size < 1:
        print("--interval debe ser positivo y --batch-size al menos 1", file=sys.stderr)
        return 2
    _configure_logging()
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Configuración inválida: {error}", file=sys.stderr)
        return 2
    engine = create_database_engine(settings.database_url)
    retention = RetentionTask(engine, settings.retention_days, args.batch_size)
    loop = MaintenanceLoop([Task(retention.name, retention)], args.interval)

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
        engine.dispose()
    if received:
        logger.info("%s received: stopped cleanly", received[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
