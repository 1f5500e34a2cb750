"""Every process (Rasa replicas, action servers, console, worker) creates the schema at
start. On an empty PostgreSQL, processes starting together used to fail with duplicate
type/table errors (7 of 8 here); create_schema now runs under an advisory lock."""
from __future__ import annotations

import threading
from typing import List

import pytest
from sqlalchemy import inspect

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.tables import metadata
from tests.conftest import _postgres_test_url

STARTING_TOGETHER = 8


def start_together(url: str, processes: int) -> List[str]:
    """`processes` engines on `url` run create_schema at the same moment, as processes
    starting together do; what each one raised (nothing: an empty list)."""
    errors: List[str] = []
    gate = threading.Barrier(processes)

    def start() -> None:
        own = create_database_engine(url)
        gate.wait()
        try:
            create_schema(own)
        except Exception as error:  # noqa: BLE001 - the test collects them
            errors.append(repr(error)[:300])
        finally:
            own.dispose()

    threads = [threading.Thread(target=start) for _ in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
def test_processes_starting_together_on_an_empty_database_all_start():
    url = _postgres_test_url("appointments_schema_race")
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    errors = start_together(url, STARTING_TOGETHER)
    try:
        assert errors == []
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        metadata.drop_all(engine)
        engine.dispose()
