"""The Duckling child process: starts where Rasa runs (also inside Sanic's daemonic
worker processes, SANIC_WORKERS > 1), survives its child dying, and keeps offsets."""
from __future__ import annotations

import multiprocessing
import time

from appointments.rasa.nlu.duckling_process import DucklingProcess


def _parse_in_a_daemon(results) -> None:
    process = DucklingProcess().start()
    try:
        results.put([entity["text"] for entity in process.parse("mañana a las 10")])
    finally:
        process.close()


def test_it_starts_inside_a_daemonic_process_like_a_sanic_worker():
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    worker = context.Process(target=_parse_in_a_daemon, args=(results,), daemon=True)
    worker.start()
    try:
        assert results.get(timeout=60) == ["mañana a las 10"]
    finally:
        worker.join(timeout=10)
    assert worker.exitcode == 0


def test_a_dead_child_is_replaced_and_the_message_still_parsed():
    process = DucklingProcess().start()
    try:
        process._process.kill()
        assert [e["text"] for e in process.parse("el viernes a las 5")] == ["el viernes a las 5"]
    finally:
        process.close()


def test_a_lone_surrogate_keeps_the_other_offsets_and_the_child():
    process = DucklingProcess().start()
    try:
        child = process._process.pid
        text = "\ud800 mañana a las 10"
        [entity] = process.parse(text)
        assert text[entity["start"]:entity["end"]] == "mañana a las 10"
        assert process._process.pid == child  # not restarted
    finally:
        process.close()


def test_a_parse_past_the_timeout_gives_no_date_and_a_new_child_in_the_background(monkeypatch):
    from appointments.rasa.nlu import duckling_process

    process = DucklingProcess().start()
    try:
        child = process._process.pid
        monkeypatch.setattr(duckling_process, "REPLY_TIMEOUT_SECONDS", 0.0)
        started = time.perf_counter()
        assert process.parse("mañana a las 10") == []
        assert time.perf_counter() - started < 1.0  # the old child killed, not waited for
        monkeypatch.undo()
        time.sleep(0.2)
        with process._lock:  # the new child starts in the background: wait for it here
            pass
        assert [e["text"] for e in process.parse("mañana a las 10")] == ["mañana a las 10"]
        assert process._process.pid != child
    finally:
        process.close()


def test_what_blew_duckling_up_answers_within_the_timeout():
    """"a las cinco " x 12 took 3 s (on an idle machine) of the child and its lock."""
    process = DucklingProcess().start()
    try:
        child = process._process.pid
        for text in ("a las cinco " * 12, "1a 1a " * 8, "el primero " * 12, "navidad " * 16):
            process.parse(text)
        assert process._process.pid == child  # answered, not timed out and replaced
    finally:
        process.close()
