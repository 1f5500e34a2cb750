"""The ContactPreferences contract: each scenario on the in-memory fake
(tests/fakes/contact_preferences.py) and on the SQL adapter over SQLite and PostgreSQL."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from appointments.adapters.sql.contact_preferences import SqlContactPreferences
from appointments.adapters.sql.tables import opt_outs
from appointments.domain.contact import SOURCE_UNSUBSCRIBED, SOURCE_USER

from tests.fakes.ports import InMemoryContactPreferences
from tests.integration.contract import backend, database_url  # noqa: F401 - fixtures

T0 = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
ANA_LEGACY, ANA = "whatsapp:+5215500000001", "whatsapp:+525500000001"
BETO = "whatsapp:+5215500000002"


@pytest.fixture
def preferences(request, backend):
    if backend == "memory":
        return InMemoryContactPreferences()
    return SqlContactPreferences(request.getfixturevalue("engine"))


def stored(preferences):
    """(phone, state, changed_at, source) of every row, as the backend keeps them."""
    if isinstance(preferences, InMemoryContactPreferences):
        return sorted((p, r["state"], r["changed_at"], r["source"])
                      for p, r in preferences.rows.items())
    with preferences.engine.connect() as connection:
        rows = connection.execute(select(opt_outs.c.phone, opt_outs.c.state,
                                         opt_outs.c.changed_at, opt_outs.c.source))
        return sorted(tuple(row) for row in rows)


def test_nobody_is_opted_out_at_first(preferences):
    assert preferences.is_opted_out(ANA) is False
    assert stored(preferences) == []


def test_opting_out_from_one_form_counts_for_the_other(preferences):
    assert preferences.opt_out(ANA_LEGACY, T0, SOURCE_USER) is True
    assert preferences.is_opted_out(ANA) and preferences.is_opted_out(ANA_LEGACY)
    assert not preferences.is_opted_out(BETO)
    assert stored(preferences) == [(ANA, "out", T0, SOURCE_USER)]


def test_opting_out_again_keeps_the_first_time_and_source(preferences):
    preferences.opt_out(ANA, T0, SOURCE_UNSUBSCRIBED)
    assert preferences.opt_out(ANA_LEGACY, T0 + DAY, SOURCE_USER) is False
    assert stored(preferences) == [(ANA, "out", T0, SOURCE_UNSUBSCRIBED)]


def test_opting_in_undoes_it_and_out_again_is_a_change(preferences):
    preferences.opt_out(ANA, T0, SOURCE_USER)
    assert preferences.opt_in(ANA_LEGACY, T0 + DAY) is True
    assert preferences.is_opted_out(ANA) is False
    assert stored(preferences) == [(ANA, "in", T0 + DAY, SOURCE_USER)]
    assert preferences.opt_in(ANA, T0 + 2 * DAY) is False  # already in: nothing changes
    assert preferences.opt_out(ANA, T0 + 3 * DAY, SOURCE_UNSUBSCRIBED) is True
    assert stored(preferences) == [(ANA, "out", T0 + 3 * DAY, SOURCE_UNSUBSCRIBED)]


def test_opting_in_without_ever_opting_out_writes_nothing(preferences):
    assert preferences.opt_in(BETO, T0) is False
    assert stored(preferences) == [] and not preferences.is_opted_out(BETO)


def test_an_unknown_source_is_refused_and_writes_nothing(preferences):
    with pytest.raises(ValueError):
        preferences.opt_out(ANA, T0, "admin")
    assert stored(preferences) == []


def test_many_replicas_recording_one_opt_out_at_once_leave_one_row(preferences):
    def record(n: int) -> bool:
        return preferences.opt_out(ANA if n % 2 else ANA_LEGACY, T0, SOURCE_USER)

    with ThreadPoolExecutor(8) as pool:
        changed = list(pool.map(record, range(16)))
    assert changed.count(True) == 1
    assert stored(preferences) == [(ANA, "out", T0, SOURCE_USER)]
