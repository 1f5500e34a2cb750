"""SqlHelpdeskLinks on SQLite and PostgreSQL, held to what the in-memory fake
(tests/fakes/helpdesk.py) promises the unit tests: one link per case and helpdesk, a
claim only one caller wins, due and to-close by the case's status, replays refused by
the database, links gone with their case."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.helpdesk_links import SqlHelpdeskLinks
from appointments.adapters.sql.retention import purge_expired
from appointments.adapters.sql.tables import helpdesk_links, metadata
from appointments.domain.handoff import utc_now
from appointments.domain.helpdesk import CLOSED, FAILED, OPEN, PENDING
from tests.fakes.helpdesk import InMemoryHelpdeskLinks
from tests.fakes.ports import InMemoryHandoffCases


@pytest.fixture(params=["sql", "memory"])
def store(request, database_url):
    if request.param == "memory":
        cases = InMemoryHandoffCases()
        yield cases, InMemoryHelpdeskLinks(cases)
        return
    engine = create_database_engine(database_url)
    metadata.drop_all(engine)
    create_schema(engine)
    yield SqlHandoffRepository(engine), SqlHelpdeskLinks(engine)
    engine.dispose()


def test_links_follow_their_case(store):
    cases, links = store
    now = utc_now()
    case_id = cases.open_case("whatsapp:+5215500000001", "user_request", {})
    link = links.add_pending(case_id, "chatwoot", now)
    assert links.add_pending(case_id, "chatwoot", now)["id"] == link["id"]
    assert (link["status"], link["attempts"]) == (PENDING, 0)
    assert [l["id"] for l in links.due(now, 10)] == [link["id"]]

    assert links.claim(link, now, now + timedelta(minutes=2))
    assert not links.claim(link, now, now + timedelta(minutes=2))  # someone else has it
    assert links.due(now, 10) == []
    links.mark_retry(link["id"], "HTTP 503", now, now + timedelta(seconds=60))
    link = links.get(link["id"])
    assert (link["status"], link["attempts"], link["last_error"]) == (PENDING, 1, "HTTP 503")

    links.mark_open(link["id"], "41", now)
    assert links.by_ref("chatwoot", "41")["case_id"] == case_id
    assert links.by_ref("zendesk", "41") is None
    assert links.to_close(10) == []
    cases.close(case_id, "agent")
    assert [l["id"] for l in links.to_close(10)] == [link["id"]]
    links.mark_closed(link["id"], now)
    assert links.to_close(10) == [] and links.get(link["id"])["status"] == CLOSED


def test_a_closed_case_is_not_due_and_giving_up_fails_the_link(store):
    cases, links = store
    now = utc_now()
    case_id = cases.open_case("whatsapp:+5215500000002", "fallback", {})
    link = links.add_pending(case_id, "chatwoot", now)
    links.mark_retry(link["id"], "HTTP 401", now, None)
    assert links.get(link["id"])["status"] == FAILED
    other = cases.open_case("whatsapp:+5215500000003", "fallback", {})
    links.add_pending(other, "chatwoot", now)
    cases.close(other, "user")
    assert links.due(now + timedelta(hours=1), 10) == []


def test_an_event_is_handled_once(store):
    _, links = store
    now = utc_now()
    assert links.first_time("chatwoot", "message:1", now)
    assert not links.first_time("chatwoot", "message:1", now)
    assert links.first_time("zendesk", "message:1", now)
    links.forget_event("chatwoot", "message:1")
    assert links.first_time("chatwoot", "message:1", now)


def test_retention_takes_the_links_with_their_case_and_old_event_ids(database_url):
    engine = create_database_engine(database_url)
    metadata.drop_all(engine)
    create_schema(engine)
    cases, links = SqlHandoffRepository(engine), SqlHelpdeskLinks(engine)
    case_id = cases.open_case("whatsapp:+5215500000004", "user_request", {})
    links.add_pending(case_id, "chatwoot", utc_now())
    links.first_time("chatwoot", "message:2", utc_now())
    cases.close(case_id, "agent")
    result = purge_expired(engine, 1, now=utc_now() + timedelta(days=2))
    assert (result.handoff_cases, result.helpdesk_events) == (1, 1)
    with engine.connect() as connection:
        assert connection.execute(select(helpdesk_links)).all() == []
    engine.dispose()
