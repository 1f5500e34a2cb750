"""Once-a-day jobs across several workers: `claim` inserts the (job, day) row, and the
primary key lets exactly one worker succeed, whoever comes first. A job that failed is
released so a later round (of any worker) can try again."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from appointments.adapters.sql.tables import daily_runs as table


class SqlDailyRuns:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, job: str, day: date) -> bool:
        """True for the one caller that gets to do `job` on `day`."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(table).values(job=job, day=day))
        except IntegrityError:
            return False
        return True

    def release(self, job: str, day: date) -> None:
        """Undo a claim whose job did not get done."""
        with self.engine.begin() as connection:
            connection.execute(delete(table).where(and_(table.c.job == job, table.c.day == day)))
