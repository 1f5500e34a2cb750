"""One conversation's slow query must not stall the others (issue 13).

Actions run in worker threads (appointments/launch/action_threads.py), not on the action
server's event loop. Here the test holds an exclusive lock on the appointments table for
5 s: A's "mis citas" waits for it, and meanwhile a new customer B writes "hola" (its
session start asks the database for an open handoff case, in another table). Before,
B's action queued behind A's blocked query on the one event loop for the whole 5 s.
"""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HELD_SECONDS = 5.0


def new_sender() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


def test_a_held_query_does_not_stall_another_conversation(stack):
    if make_url(stack.database_url).get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL to hold a table lock (CI runs with REQUIRE_POSTGRES=1)")
    first, second = new_sender(), new_sender()
    stack.say(first, "hola")
    engine = create_engine(stack.database_url, future=True)
    try:
        with ThreadPoolExecutor(2) as pool, engine.connect() as connection:
            lock = connection.begin()
            connection.execute(text("LOCK TABLE appointments IN ACCESS EXCLUSIVE MODE"))
            locked_at = time.monotonic()
            held = pool.submit(stack.say, first, "mis citas")
            time.sleep(0.5)
            assert not held.done(), "the list should be waiting for the locked table"
            begin = time.perf_counter()
            other = pool.submit(timed, stack.say, second, "hola")
            time.sleep(max(0.0, HELD_SECONDS - (time.monotonic() - locked_at)))
            assert not held.done(), "the list should still be waiting after 5 s"
            answered_while_held = other.done()
            lock.rollback()
            listing = "\n".join(held.result(timeout=60))
            replies, finished = other.result(timeout=60)
    finally:
        engine.dispose()
    took = finished - begin
    assert answered_while_held, f"B was answered only after A's query was let go ({took:.1f} s)"
    assert "Hola" in "\n".join(replies)
    assert took < 0.3, f"B waited {took:.2f} s behind A's held query"
    assert "No tienes citas" in listing


def timed(function, *args):
    result = function(*args)
    return result, time.perf_counter()
