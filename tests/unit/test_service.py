"""The use cases with a fixed clock (Wednesday 2026-11-25 10:00, Mexico City) on a real
SQLite file (the per-phone cap on an in-memory repository); tests/integration runs the
storage on PostgreSQL as well."""
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointments.services.scheduling import AppointmentService
from appointments.domain import (
    AppointmentNotActive,
    AppointmentNotFound,
    SlotUnavailable,
    TooManyAppointments,
    Unavailability as U,
)

from tests.conftest import FIXED_NOW, TZ


@pytest.fixture
def database_url(sqlite_url) -> str:
    """SQLite only here: these tests are about the rules, not the backend."""
    return sqlite_url


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def hhmm(slots):
    return [s.strftime("%d %H:%M") for s in slots]


THURSDAY = date(2026, 11, 26)
SATURDAY = date(2026, 11, 28)


def fill(service, day, keep=()):
    """Book every free slot of `day` except the times in `keep`."""
    for n, slot in enumerate(service.free_slots(day)):
        if slot.time() not in keep:
            service.book(f"filler-{n}", slot)


# --- availability ----------------------------------------------------------------

def test_now_is_in_the_business_zone(calendar, repository):
    utc_clock = lambda: datetime(2026, 11, 25, 16, 0, tzinfo=ZoneInfo("UTC"))  # noqa: E731
    service = AppointmentService(calendar, repository, utc_clock)
    assert service.now() == FIXED_NOW and service.now().tzinfo == TZ


def test_check_slot_combines_rules_and_bookings(service):
    assert service.check_slot(at(26, 10)) is None
    service.book("ana", at(26, 10))
    assert service.check_slot(at(26, 10)) == U.TAKEN
    assert service.check_slot(at(26, 10, 10)) == U.OFF_GRID  # rules are reported first
    assert service.check_slot(at(25, 10, 30)) == U.TOO_SOON


def test_free_slots_today_respect_the_notice(service):
    today = service.free_slots(date(2026, 11, 25))
    assert hhmm(today[:2]) == ["25 11:00", "25 11:30"] and len(today) == 14


def test_free_slots_within_a_window(service):
    service.book("ana", at(26, 12, 30))
    afternoon = service.free_slots(THURSDAY, window=(time(12), time(14)))
    assert hhmm(afternoon) == ["26 12:00", "26 13:00", "26 13:30"]


@pytest.mark.parametrize(
    "day", [date(2026, 11, 24), date(2026, 11, 29), date(2026, 12, 25), date(2026, 12, 26)]
)
def test_no_free_slots_on_unbookable_days(service, day):
    assert service.free_slots(day) == []  # past, Sunday, holiday, beyond the horizon


def test_next_free_slots(service):
    service.book("ana", at(25, 11))
    assert hhmm(service.next_free_slots()) == ["25 11:30", "25 12:00", "25 12:30"]
    after = service.next_free_slots(limit=3, after=at(28, 12, 15))
    assert hhmm(after) == ["28 12:30", "30 09:00", "30 09:30"]  # Sunday is closed


def test_next_free_slots_stop_at_the_horizon(service):
    last_days = service.next_free_slots(limit=50, after=datetime(2026, 12, 24, 16, tzinfo=TZ))
    assert hhmm(last_days) == ["24 16:00", "24 16:30", "24 17:00", "24 17:30"]


def test_nearest_free_slots_on_both_sides(service):
    service.book("ana", at(26, 12))
    nearest = service.nearest_free_slots(at(26, 12), limit=4)
    assert hhmm(nearest) == ["26 11:00", "26 11:30", "26 12:30", "26 13:00"]


def test_nearest_free_slots_near_closing_time(service):
    service.book("ana", at(26, 17, 30))
    nearest = service.nearest_free_slots(at(26, 17, 30), limit=3)
    assert hhmm(nearest) == ["26 16:00", "26 16:30", "26 17:00"]


def test_nearest_free_slots_today_skip_what_is_too_soon(service):
    assert hhmm(service.nearest_free_slots(at(25, 9), limit=2)) == ["25 11:00", "25 11:30"]


def test_nearest_free_slots_top_up_from_the_next_days(service):
    fill(service, SATURDAY, keep=(time(9),))
    nearest = service.nearest_free_slots(datetime(2026, 11, 28, 12, tzinfo=TZ), limit=3)
    assert hhmm(nearest) == ["28 09:00", "30 09:00", "30 09:30"]


def test_nearest_free_slots_from_a_closed_day(service):
    nearest = service.nearest_free_slots(datetime(2026, 11, 29, 10, tzinfo=TZ), limit=2)
    assert hhmm(nearest) == ["30 09:00", "30 09:30"]


def test_days_with_space_skip_full_and_closed_days(service):
    fill(service, THURSDAY)
    days = service.days_with_space(limit=3)
    assert days == [(date(2026, 11, 25), 14), (date(2026, 11, 27), 18), (SATURDAY, 8)]
    assert service.days_with_space(start=SATURDAY, limit=2) == [
        (SATURDAY, 8), (date(2026, 11, 30), 18)]


def test_days_with_space_end_at_the_horizon(service):
    # Dec 24 is the last open day within 30 days: Dec 25 is a holiday
    assert service.days_with_space(start=date(2026, 12, 24), limit=3) == [
        (date(2026, 12, 24), 18)]
    assert service.days_with_space(start=date(2027, 1, 4)) == []


# --- booking ---------------------------------------------------------------------

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
    [(at(25, 10, 30), U.TOO_SOON), (at(26, 10, 15), U.OFF_GRID), (at(26, 18), U.OUTSIDE_HOURS),
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


def test_code_collisions_are_retried_then_given_up(calendar, repository, clock):
    service = AppointmentService(calendar, repository, clock, lambda: "K7P-3QX")
    service.book("ana", at(26, 10))
    with pytest.raises(RuntimeError):
        service.book("beto", at(26, 11))
    assert service.check_slot(at(26, 11)) is None  # nothing half-written


# --- finding, listing, cancelling ------------------------------------------------

def test_find_normalizes_the_code_and_hides_other_peoples_appointments(service):
    booked = service.book("ana", at(26, 10))
    assert service.find("ana", f" {booked.code.lower().replace('-', ' ')} ") == booked
    for phone, code in [("beto", booked.code), ("ana", "Z9Z-9ZZ"), ("ana", "no sé")]:
        with pytest.raises(AppointmentNotFound):
            service.find(phone, code)


def test_phones_are_compared_exactly(service):
    service.book("whatsapp:+5215512345678", at(26, 10))
    assert service.upcoming("+5215512345678") == []
    assert service.upcoming("whatsapp:+521551234567") == []


def test_upcoming_lists_future_booked_appointments_in_order(service, clock):
    later = service.book("ana", at(27, 9))
    sooner = service.book("ana", at(26, 15))
    service.cancel("ana", service.book("ana", at(26, 16)).code)
    service.book("beto", at(26, 17))
    assert service.upcoming("ana") == [sooner, later]
    clock.now = at(26, 15)  # it is starting now: no longer upcoming
    assert service.upcoming("ana") == [later]


def test_cancel(service, clock):
    booked = service.book("ana", at(26, 10))
    clock.now = FIXED_NOW + timedelta(minutes=7)
    cancelled = service.cancel("ana", booked.code)
    assert cancelled.status == "cancelled" and cancelled.start == booked.start
    assert cancelled.code == booked.code and service.upcoming("ana") == []
    assert service.check_slot(at(26, 10)) is None  # free again
    with pytest.raises(AppointmentNotActive):
        service.cancel("ana", booked.code)


def test_cancel_by_someone_else_changes_nothing(service):
    booked = service.book("ana", at(26, 10))
    with pytest.raises(AppointmentNotFound):
        service.cancel("beto", booked.code)
    assert service.find("ana", booked.code).status == "booked"


def test_started_appointments_can_neither_be_cancelled_nor_moved(service, clock):
    booked = service.book("ana", at(26, 10))
    clock.now = at(26, 10)
    with pytest.raises(AppointmentNotActive):
        service.cancel("ana", booked.code)
    with pytest.raises(AppointmentNotActive):
        service.reschedule("ana", booked.code, at(27, 10))
    assert service.find("ana", booked.code) == booked


# --- rescheduling ----------------------------------------------------------------

def test_reschedule_keeps_the_code_and_frees_the_old_slot(service):
    booked = service.book("ana", at(26, 10), customer_name="Ana")
    moved = service.reschedule("ana", booked.code.lower(), at(27, 16, 30))
    assert (moved.code, moved.start, moved.end) == (booked.code, at(27, 16, 30), at(27, 17))
    assert (moved.status, moved.customer_name, moved.created_at) == ("booked", "Ana", FIXED_NOW)
    assert service.upcoming("ana") == [moved]
    assert service.check_slot(at(26, 10)) is None
    assert service.check_slot(at(27, 16, 30)) == U.TAKEN


@pytest.mark.parametrize(
    "new_start, reason",
    [(at(26, 11), U.TAKEN), (at(29, 10), U.CLOSED_DAY), (at(26, 10), U.TAKEN),
     (datetime(2026, 12, 25, 10, tzinfo=TZ), U.HOLIDAY), (at(25, 10, 30), U.TOO_SOON)],
)
def test_a_refused_reschedule_changes_nothing(service, new_start, reason):
    booked = service.book("ana", at(26, 10))
    other = service.book("beto", at(26, 11))
    with pytest.raises(SlotUnavailable) as refused:
        service.reschedule("ana", booked.code, new_start)
    assert refused.value.reason == reason
    assert service.upcoming("ana") == [booked] and service.upcoming("beto") == [other]


def test_reschedule_of_a_cancelled_or_foreign_appointment(service):
    booked = service.book("ana", at(26, 10))
    with pytest.raises(AppointmentNotFound):
        service.reschedule("beto", booked.code, at(26, 11))
    service.cancel("ana", booked.code)
    with pytest.raises(AppointmentNotActive):
        service.reschedule("ana", booked.code, at(26, 11))
    assert service.check_slot(at(26, 11)) is None


# --- the cap on upcoming appointments per phone (in memory) ------------------------

class MemoryRepository:
    """The service's storage port in memory: enough to test the cap rules alone."""

    def __init__(self):
        self.rows = {}

    def add(self, appointment, max_upcoming=None):
        mine = self.booked_for_phone(appointment.phone, appointment.created_at)
        if max_upcoming is not None and len(mine) >= max_upcoming:
            raise TooManyAppointments(max_upcoming)
        if appointment.start in self.booked_starts(appointment.start, appointment.end):
            raise SlotUnavailable(U.TAKEN, appointment.start)
        self.rows[appointment.code] = appointment
        return appointment

    def get(self, code):
        return self.rows.get(code)

    def booked_starts(self, start, end):
        return {a.start for a in self.rows.values() if a.is_booked and start <= a.start < end}

    def booked_for_phone(self, phone, after):
        mine = [a for a in self.rows.values() if a.phone == phone and a.is_booked]
        return sorted((a for a in mine if a.start > after), key=lambda a: a.start)

    def cancel(self, code, phone, at):
        self.rows[code] = replace(self.rows[code], status="cancelled")
        return True

    def move(self, code, phone, start, end):
        self.rows[code] = replace(self.rows[code], start=start, end=end)
        return True


@pytest.fixture
def capped(calendar, clock):
    return AppointmentService(calendar, MemoryRepository(), clock, max_upcoming_per_phone=3)


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


def test_without_a_cap_there_is_no_limit(calendar, clock):
    service = AppointmentService(calendar, MemoryRepository(), clock)
    assert len([service.book("ana", at(26, hour)) for hour in range(9, 18)]) == 9
