"""AppointmentService.book: the stored appointment, the refusals and their reasons, code
collisions and the cap on upcoming appointments per phone; on the in-memory repository
with the clock at Wednesday 2026-11-25 10:00."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from appointments.domain import SlotUnavailable, TooManyAppointments, Unavailability as U
from appointments.services.scheduling import CODE_ATTEMPTS, AppointmentService

from tests.conftest import FIXED_NOW, TZ
from tests.unit.helpers import at


def test_book_returns_the_stored_appointment(service):
    booked = service.book("whatsapp:+5215512345678", at(26, 10), customer_name="Ana")
    assert booked == service.find("whatsapp:+5215512345678", booked.code)
    assert (booked.start, booked.end) == (at(26, 10), at(26, 10, 30))
    assert booked.status == "booked" and booked.created_at == FIXED_NOW
    assert booked.customer_name == "Ana" and booked.start.tzinfo == TZ


def test_book_accepts_utc_and_naive_times(service):
    from_utc = service.book("ana", datetime(2026, 11, 26, 16, 0, tzinfo=ZoneInfo("UTC")))
    assert from_utc.start == at(26, 10) and from_utc.start.tzinfo == TZ
    naive = service.book("ana", datetime(2026, 11, 26, 11, 0))
    assert naive.start == at(26, 11)


@pytest.mark.parametrize(
    "start, reason",
    [(at(25, 9), U.PAST), (at(25, 10, 30), U.TOO_SOON), (at(26, 10, 15), U.OFF_GRID),
     (at(26, 18), U.OUTSIDE_HOURS), (at(26, 19), U.OUTSIDE_HOURS), (at(29, 10), U.CLOSED_DAY),
     (datetime(2026, 12, 25, 10, tzinfo=TZ), U.HOLIDAY),
     (datetime(2026, 12, 28, 10, tzinfo=TZ), U.BEYOND_HORIZON)],
)
def test_book_refuses_with_the_reason_and_writes_nothing(service, start, reason):
    with pytest.raises(SlotUnavailable) as refused:
        service.book("ana", start)
    assert refused.value.reason == reason and refused.value.start == start
    assert service.days_with_space(limit=1) == [(date(2026, 11, 25), 14)]
    assert service.repository.booked_for_phone("ana", FIXED_NOW) == []


def test_a_taken_slot_is_refused(service):
    service.book("ana", at(26, 10))
    with pytest.raises(SlotUnavailable) as refused:
        service.book("beto", at(26, 10))
    assert refused.value.reason == U.TAKEN
    assert service.upcoming("beto") == []


def test_the_repository_has_the_last_word_on_a_taken_slot(service, monkeypatch):
    """A booking made between the check and the write: the write still refuses."""
    first = service.book("ana", at(26, 10))
    monkeypatch.setattr(service, "_unavailability", lambda *args, **kwargs: None)
    with pytest.raises(SlotUnavailable) as refused:
        service.book("beto", at(26, 10))
    assert refused.value.reason == U.TAKEN
    assert service.upcoming("beto") == [] and service.upcoming("ana") == [first]


def test_code_collisions_draw_a_new_code(calendar, repository, clock):
    codes = iter(["K7P-3QX", "K7P-3QX", "K7P-3QX", "M4R-8TW"])
    service = AppointmentService(calendar, repository, clock, lambda: next(codes))
    assert service.book("ana", at(26, 10)).code == "K7P-3QX"
    moved_on = service.book("beto", at(26, 11))
    assert moved_on.code == "M4R-8TW" and service.find("beto", "M4R-8TW") == moved_on
    assert service.find("ana", "K7P-3QX").start == at(26, 10)  # the first one untouched


def test_code_collisions_are_retried_then_given_up(calendar, repository, clock):
    drawn = []
    service = AppointmentService(calendar, repository, clock,
                                 lambda: drawn.append(1) or "K7P-3QX")
    service.book("ana", at(26, 10))
    with pytest.raises(RuntimeError):
        service.book("beto", at(26, 11))
    assert len(drawn) == 1 + CODE_ATTEMPTS
    assert service.check_slot(at(26, 11)) is None  # nothing half-written


# --- the cap on upcoming appointments per phone --------------------------------------

@pytest.fixture
def capped(calendar, repository, clock):
    return AppointmentService(calendar, repository, clock, max_upcoming_per_phone=3)


def test_one_more_than_the_cap_is_refused_and_nothing_is_written(capped):
    for hour in (10, 11, 12):
        capped.book("ana", at(26, hour))
    with pytest.raises(TooManyAppointments) as refused:
        capped.book("ana", at(27, 10))
    assert refused.value.limit == 3
    assert len(capped.upcoming("ana")) == 3 and capped.check_slot(at(27, 10)) is None
    with pytest.raises(TooManyAppointments):
        capped.check_upcoming_limit("ana")  # what the conversation asks before the day
    with pytest.raises(TooManyAppointments):
        capped.book("ana", at(26, 10))  # at the cap, the cap is the reason, not "taken"
    assert capped.book("beto", at(27, 10)).phone == "beto"  # the cap is per phone


def test_cancelled_and_past_appointments_do_not_count(capped, clock):
    first, *_ = [capped.book("ana", at(25, hour)) for hour in (12, 13, 14)]
    capped.cancel("ana", first.code)
    capped.book("ana", at(26, 10))
    clock.now = at(25, 13, 30)  # the 13:00 one has started: no longer upcoming
    capped.check_upcoming_limit("ana")
    assert capped.book("ana", at(26, 11)).start == at(26, 11)
    with pytest.raises(TooManyAppointments):
        capped.book("ana", at(26, 12))


def test_moving_an_appointment_at_the_cap_is_not_a_new_one(capped):
    booked = [capped.book("ana", at(26, hour)) for hour in (10, 11, 12)]
    moved = capped.reschedule("ana", booked[0].code, at(27, 9))
    assert moved.start == at(27, 9) and len(capped.upcoming("ana")) == 3


def test_the_write_itself_enforces_the_cap(capped, monkeypatch):
    """The early check can be passed by a booking made meanwhile: the count done with
    the insert still refuses."""
    for hour in (10, 11, 12):
        capped.book("ana", at(26, hour))
    monkeypatch.setattr(capped, "check_upcoming_limit", lambda phone: None)
    with pytest.raises(TooManyAppointments):
        capped.book("ana", at(27, 10))
    assert len(capped.upcoming("ana")) == 3


def test_without_a_cap_there_is_no_limit(service):
    assert len([service.book("ana", at(26, hour)) for hour in range(9, 18)]) == 9
    assert len(service.upcoming("ana")) == 9
