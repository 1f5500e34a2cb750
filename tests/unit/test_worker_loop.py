"""The worker's loop (appointments/worker/loop.py): each task at its own interval on the
monotonic clock, a failing task retried at its next turn, a stop request honoured."""
import pytest

from appointments.worker.loop import MaintenanceLoop, Task


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def recording(name, calls, fail=False):
    def run(stopping):
        calls.append(name)
        if fail:
            raise RuntimeError("database away")
    return run


def test_each_task_runs_at_its_own_interval():
    calls, clock = [], Monotonic()
    loop = MaintenanceLoop([Task("retention", recording("retention", calls)),
                            Task("reminders", recording("reminders", calls), 30)],
                           interval_seconds=3600, monotonic=clock)
    assert loop.run_due() == 30 and calls == ["retention", "reminders"]
    clock.now += 29
    assert loop.run_due() == 1 and len(calls) == 2
    clock.now += 1
    assert loop.run_due() == 30 and calls[2:] == ["reminders"]
    for _ in range(118):
        clock.now += 30
        loop.run_due()
    assert calls.count("retention") == 1 and calls.count("reminders") == 120
    clock.now += 30  # 3600 s after the first purge
    loop.run_due()
    assert calls[-2:] == ["retention", "reminders"] and loop.rounds == 121


def test_a_failing_task_is_logged_and_tried_at_its_next_turn(caplog):
    calls, clock = [], Monotonic()
    loop = MaintenanceLoop([Task("reminders", recording("reminders", calls, fail=True), 30),
                            Task("retention", recording("retention", calls))], monotonic=clock)
    loop.run_due()
    assert calls == ["reminders", "retention"] and "next try in 30 s" in caplog.text
    clock.now += 30
    loop.run_due()
    assert calls[2:] == ["reminders"]


def test_one_round_runs_every_task_once_and_a_stop_ends_the_loop():
    calls = []
    loop = MaintenanceLoop([Task("a", recording("a", calls), 30),
                            Task("b", lambda stopping: (calls.append("b"), loop.stop()))],
                           interval_seconds=3600)
    loop.run()  # b asks to stop: the loop ends without waiting an interval
    assert calls == ["a", "b"] and loop.rounds == 1


def test_intervals_must_be_positive():
    with pytest.raises(ValueError):
        MaintenanceLoop([Task("a", lambda stopping: None, 0)])
    with pytest.raises(ValueError):
        MaintenanceLoop([], interval_seconds=0)
