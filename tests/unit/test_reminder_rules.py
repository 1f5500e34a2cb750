"""The reminder rules of appointments/domain/reminders.py: offsets, kinds, due times,
free text or template, and the settings that configure them."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from appointments.domain.reminders import (
    DEFAULT_OFFSETS,
    Delivery,
    backoff,
    delivery,
    idempotency_key,
    kind_of,
    parse_offsets,
    plan,
    superseded_by,
)
from appointments.settings import Settings, SettingsError
from tests.conftest import FIXED_NOW, ONE_SERVICE_BUSINESS, TZ

H = timedelta(hours=1)
START = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)  # a Friday, 16:00 UTC


def test_offsets_are_read_longest_first_and_named_back():
    assert parse_offsets("2h, 24h,30m") == (24 * H, 2 * H, timedelta(minutes=30))
    assert parse_offsets("") == DEFAULT_OFFSETS == (24 * H, 2 * H)
    assert parse_offsets("none") == ()
    assert parse_offsets("1d") == (24 * H,)
    assert [kind_of(o) for o in parse_offsets("1d,2h,90m,45m")] == ["24h", "2h", "90m", "45m"]


@pytest.mark.parametrize("spec", ["24", "2x", "0h", "-2h", "24h,1d", "2h;30m", "h", "24 horas"])
def test_unreadable_offsets_are_refused(spec):
    with pytest.raises(ValueError):
        parse_offsets(spec)


def test_the_settings_read_reminder_variables_and_refuse_bad_ones():
    env = {"BUSINESS_FILE": ONE_SERVICE_BUSINESS}
    default = Settings.from_env(env)
    assert default.reminder_offsets == (24 * H, 2 * H) and default.reminder_poll_seconds == 30
    assert default.twilio_template_reminder_sid is None
    custom = Settings.from_env({**env, "REMINDER_OFFSETS": "48h,1h", "REMINDER_POLL_SECONDS": "5",
                                "TWILIO_TEMPLATE_REMINDER_SID": " HX123 "})
    assert custom.reminder_offsets == (48 * H, H) and custom.reminder_poll_seconds == 5
    assert custom.twilio_template_reminder_sid == "HX123"
    with pytest.raises(SettingsError, match="REMINDER_OFFSETS"):
        Settings.from_env({**env, "REMINDER_OFFSETS": "mañana"})
    with pytest.raises(SettingsError, match="REMINDER_POLL_SECONDS"):
        Settings.from_env({**env, "REMINDER_POLL_SECONDS": "0"})


def test_a_booking_gets_the_reminders_still_to_come():
    utc = START.astimezone(timezone.utc)
    assert plan(START, FIXED_NOW, DEFAULT_OFFSETS) == [("24h", utc - 24 * H), ("2h", utc - 2 * H)]
    assert plan(START, START - 3 * H, DEFAULT_OFFSETS) == [("2h", utc - 2 * H)]  # inside 24 h
    assert plan(START, START - 2 * H, DEFAULT_OFFSETS) == []  # exactly at the offset: none
    assert plan(START, FIXED_NOW, ()) == []


def test_due_times_are_elapsed_time_across_a_clock_change():
    start = datetime(2026, 3, 8, 10, 0, tzinfo=ZoneInfo("America/New_York"))  # DST began 2:00
    [(kind, due)] = plan(start, start - 30 * H, (24 * H,))
    assert start.astimezone(timezone.utc) - due == 24 * H  # not 23 h (wall clock)
    assert due == datetime(2026, 3, 7, 14, 0, tzinfo=timezone.utc)


def test_a_reminder_a_shorter_one_caught_up_with_is_superseded():
    offsets = DEFAULT_OFFSETS
    assert superseded_by("24h", START, START - 20 * H, offsets) is None  # 2h not due yet
    assert superseded_by("24h", START, START - 2 * H, offsets) == "2h"
    assert superseded_by("24h", START, START - 30 * H, offsets) is None
    assert superseded_by("2h", START, START - H, offsets) is None  # nothing shorter
    assert superseded_by("24h", START, START - H, (24 * H, 2 * H, H / 2)) == "2h"
    assert superseded_by("24h", START, START - H / 4, (24 * H, 2 * H, H / 2)) == "30m"


def test_free_text_inside_24_hours_template_outside_nothing_without_one():
    now = FIXED_NOW
    assert delivery(now - 23 * H, now, template_configured=False) is Delivery.FREE_TEXT
    assert delivery(now - 23 * H, now, template_configured=True) is Delivery.FREE_TEXT
    assert delivery(now - 24 * H, now, template_configured=True) is Delivery.TEMPLATE
    # a few minutes short of the end of the window: the template, to be safe
    assert delivery(now - 24 * H + timedelta(minutes=2), now, True) is Delivery.TEMPLATE
    assert delivery(None, now, template_configured=True) is Delivery.TEMPLATE
    assert delivery(None, now, template_configured=False) is Delivery.SKIP
    assert delivery(now - 30 * H, now, template_configured=False) is Delivery.SKIP


def test_the_idempotency_key_names_the_appointment_the_kind_and_the_start():
    assert idempotency_key("K7P-3QX", "24h", START) == "reminder:K7P-3QX:24h:2026-11-27T16:00:00+00:00"
    assert idempotency_key("K7P-3QX", "24h", START + H) != idempotency_key("K7P-3QX", "24h", START)


def test_backoff_grows_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(7) == backoff(1000) == H
