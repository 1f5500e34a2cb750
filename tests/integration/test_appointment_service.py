"""Booking, cancelling, rescheduling and listing against real databases (SQLite and
PostgreSQL), with a fixed clock."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from appointments.domain import (
    AppointmentNotActive, AppointmentNotFound, SlotUnavailable, TooManyAppointments,
    Unavailability,
)
from appointments.adapters.sql.tables import appointments

from tests.conftest import TZ

THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)


def rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(appointments)).all()


def test_book_stores_an_aware_appointment_with_a_code(service, phone, engine):
    booked = service.book(phone, THURSDAY_10)
    assert booked.start == THURSDAY_10 and booked.end == THURSDAY_10 + timedelta(minutes=30)
    stored = service.find(phone, booked.code)
    assert stored.start == THURSDAY_10 and stored.start.utcoffset() == timedelta(hours=-6)
    assert [r.status for r in rows(engine)] == ["booked"]


def test_a_taken_slot_is_refused_and_nothing_is_written(service, phone, engine):
    service.book(phone, THURSDAY_10)
    with pytest.raises(SlotUnavailable) as refused:
        service.book("whatsapp:+5210000000", THURSDAY_10)
    assert refused.value.reason == Unavailability.TAKEN
    assert len(rows(engine)) == 1


def test_the_database_itself_refuses_a_double_booking(service, repository, phone):
    first = service.book(phone, THURSDAY_10)
    from dataclasses import replace

    with pytest.raises(SlotUnavailable):
        repository.add(replace(first, code="Z9Z-9ZZ", phone="other"))


@pytest.mark.parametrize(
    "start, reason",
    [
        (datetime(2026, 11, 25, 9, 0, tzinfo=TZ), Unavailability.PAST),
        (datetime(2026, 11, 29, 10, 0, tzinfo=TZ), Unavailability.CLOSED_DAY),
        (datetime(2026, 12, 25, 10, 0, tzinfo=TZ), Unavailability.HOLIDAY),
        (datetime(2026, 11, 26, 19, 0, tzinfo=TZ), Unavailability.OUTSIDE_HOURS),
    ],
)
def test_rules_are_checked_before_writing(service, phone, engine, start, reason):
    with pytest.raises(SlotUnavailable) as refused:
        service.book(phone, start)
    assert refused.value.reason == reason
    assert rows(engine) == []


def test_code_collisions_draw_a_new_code(calendar, repository, clock, phone):
    from appointments.services.scheduling import AppointmentService

    codes = iter(["K7P-3QX", "K7P-3QX", "M4R-8TW"])
    service = AppointmentService(calendar, repository, clock, lambda: next(codes))
    assert service.book(phone, THURSDAY_10).code == "K7P-3QX"
    assert service.book(phone, THURSDAY_10 + timedelta(hours=1)).code == "M4R-8TW"


def test_free_slots_skip_taken_and_too_soon(service, phone):
    today = service.free_slots(date(2026, 11, 25))
    assert today[0].hour == 11  # 10:00 now + 60 min notice
    service.book(phone, THURSDAY_10)
    thursday = service.free_slots(date(2026, 11, 26))
    assert THURSDAY_10 not in thursday and len(thursday) == 17
    morning = service.free_slots(date(2026, 11, 26), window=(datetime.min.time(), THURSDAY_10.time()))
    assert [s.hour for s in morning] == [9, 9]


def test_nearest_free_slots_surround_the_wanted_one(service, phone):
    service.book(phone, THURSDAY_10)
    nearest = service.nearest_free_slots(THURSDAY_10, limit=2)
    assert [s.strftime("%H:%M") for s in nearest] == ["09:30", "10:30"]


def test_nearest_free_slots_move_to_the_next_day_when_full(service):
    saturday = date(2026, 11, 28)
    for n, slot in enumerate(service.free_slots(saturday)):
        service.book(f"p{n}", slot)
    nearest = service.nearest_free_slots(datetime(2026, 11, 28, 10, tzinfo=TZ), limit=2)
    assert [s.date() for s in nearest] == [date(2026, 11, 30)] * 2  # Sunday closed


def test_days_with_space(service):
    days = service.days_with_space(limit=4)
    assert [d for d, _ in days] == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27),
                                    date(2026, 11, 28)]
    assert dict(days)[date(2026, 11, 28)] == 8


def test_upcoming_lists_only_my_future_booked_appointments(service, phone, clock):
    first = service.book(phone, THURSDAY_10 + timedelta(days=1))
    second = service.book(phone, THURSDAY_10)
    service.book("someone else", THURSDAY_10 + timedelta(hours=2))
    cancelled = service.book(phone, THURSDAY_10 + timedelta(hours=3))
    service.cancel(phone, cancelled.code)
    assert [a.code for a in service.upcoming(phone)] == [second.code, first.code]
    clock.now = THURSDAY_10 + timedelta(minutes=5)
    assert [a.code for a in service.upcoming(phone)] == [first.code]


def test_cancel_frees_the_slot(service, phone):
    booked = service.book(phone, THURSDAY_10)
    cancelled = service.cancel(phone, booked.code.lower().replace("-", ""))
    assert cancelled.status == "cancelled"
    assert service.book("other", THURSDAY_10).start == THURSDAY_10
    with pytest.raises(AppointmentNotActive):
        service.cancel(phone, booked.code)


def test_only_the_owner_can_cancel(service, phone, engine):
    booked = service.book(phone, THURSDAY_10)
    with pytest.raises(AppointmentNotFound):
        service.cancel("whatsapp:+5219999999", booked.code)
    with pytest.raises(AppointmentNotFound):
        service.cancel(phone, "Z9Z-9ZZ")
    with pytest.raises(AppointmentNotFound):
        service.cancel(phone, "not a code")
    assert [r.status for r in rows(engine)] == ["booked"]


def test_past_appointments_cannot_be_cancelled(service, phone, clock):
    booked = service.book(phone, THURSDAY_10)
    clock.now = THURSDAY_10 + timedelta(hours=1)
    with pytest.raises(AppointmentNotActive):
        service.cancel(phone, booked.code)


def test_reschedule_moves_the_appointment_and_frees_the_old_slot(service, phone):
    booked = service.book(phone, THURSDAY_10)
    moved = service.reschedule(phone, booked.code, THURSDAY_10 + timedelta(days=1))
    assert moved.code == booked.code and moved.start == THURSDAY_10 + timedelta(days=1)
    assert service.book("other", THURSDAY_10).start == THURSDAY_10


def test_reschedule_into_a_taken_slot_changes_nothing(service, phone, engine):
    mine = service.book(phone, THURSDAY_10)
    service.book("other", THURSDAY_10 + timedelta(hours=1))
    with pytest.raises(SlotUnavailable) as refused:
        service.reschedule(phone, mine.code, THURSDAY_10 + timedelta(hours=1))
    assert refused.value.reason == Unavailability.TAKEN
    assert service.find(phone, mine.code).start == THURSDAY_10


def test_reschedule_of_someone_elses_appointment_is_not_found(service, phone):
    booked = service.book(phone, THURSDAY_10)
    with pytest.raises(AppointmentNotFound):
        service.reschedule("intruder", booked.code, THURSDAY_10 + timedelta(hours=1))
    assert service.find(phone, booked.code).start == THURSDAY_10


# --- the cap on upcoming appointments per phone --------------------------------------

@pytest.fixture
def capped(calendar, repository, clock):
    from appointments.services.scheduling import AppointmentService

    return AppointmentService(calendar, repository, clock, max_upcoming_per_phone=3)


def test_the_fourth_upcoming_appointment_is_refused_and_nothing_is_written(capped, phone, engine):
    for hours in (0, 1, 2):
        capped.book(phone, THURSDAY_10 + timedelta(hours=hours))
    with pytest.raises(TooManyAppointments) as refused:
        capped.book(phone, THURSDAY_10 + timedelta(days=1))
    assert refused.value.limit == 3
    assert len(rows(engine)) == 3
    assert capped.book("whatsapp:+5210000000", THURSDAY_10 + timedelta(days=1))


def test_cancelled_past_and_moved_appointments_and_the_cap(capped, phone, clock):
    booked = [capped.book(phone, THURSDAY_10 + timedelta(hours=h)) for h in (0, 1, 2)]
    capped.reschedule(phone, booked[0].code, THURSDAY_10 + timedelta(days=1))  # not a new one
    capped.cancel(phone, booked[1].code)
    capped.book(phone, THURSDAY_10 + timedelta(days=2))  # the cancelled one freed a place
    clock.now = THURSDAY_10 + timedelta(hours=2, minutes=5)  # booked[2] has started
    assert capped.book(phone, THURSDAY_10 + timedelta(days=4)).phone == phone  # Monday
    with pytest.raises(TooManyAppointments):
        capped.book(phone, THURSDAY_10 + timedelta(days=5))
    assert len(capped.upcoming(phone)) == 3


def test_the_repository_counts_in_the_insert_transaction(repository, phone):
    """No service check at all: the repository alone refuses past the cap, and a taken
    slot is still refused by the unique index under the cap."""
    from dataclasses import replace

    from appointments.domain import Appointment

    def appointment(code, hours):
        start = THURSDAY_10 + timedelta(hours=hours)
        return Appointment(code=code, phone=phone, start=start, end=start + timedelta(minutes=30),
                           status="booked", created_at=THURSDAY_10 - timedelta(days=1))

    first = repository.add(appointment("A2B-3CD", 0), max_upcoming=2)
    with pytest.raises(SlotUnavailable):
        repository.add(replace(first, code="A2B-3CE", phone="other"), max_upcoming=2)
    repository.add(appointment("A2B-3CF", 1), max_upcoming=2)
    with pytest.raises(TooManyAppointments):
        repository.add(appointment("A2B-3CG", 2), max_upcoming=2)
    assert repository.get("A2B-3CG") is None
    later = replace(appointment("A2B-3CH", 2), created_at=THURSDAY_10 + timedelta(minutes=1))
    assert repository.add(later, max_upcoming=2).code == "A2B-3CH"  # the 10:00 one is past
