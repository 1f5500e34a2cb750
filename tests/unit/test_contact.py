"""Opting out and back in over the ContactPreferences port (in memory): what the person
writes, Twilio's 21610 on a send, and whether a proactive message may go."""
import asyncio
from datetime import datetime, timezone

import pytest

from appointments.domain.contact import OPTED_IN, OPTED_OUT, SOURCE_UNSUBSCRIBED, SOURCE_USER
from appointments.services.contact import (
    OPT_IN,
    OPT_OUT,
    can_message,
    record_send_result,
    record_wish,
)

from tests.fakes.ports import InMemoryContactPreferences, RecordingSender, SendResult

T0 = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
T1 = datetime(2026, 11, 26, 16, 0, tzinfo=timezone.utc)
LEGACY, NORMAL = "whatsapp:+5215512345678", "whatsapp:+525512345678"


@pytest.fixture
def preferences():
    return InMemoryContactPreferences()


def test_baja_then_alta_from_either_form_of_the_number(preferences):
    assert can_message(preferences, NORMAL)
    assert record_wish(preferences, LEGACY, OPT_OUT, T0) is True
    assert not can_message(preferences, NORMAL) and not can_message(preferences, LEGACY)
    assert preferences.rows[NORMAL] == {"state": OPTED_OUT, "changed_at": T0, "source": SOURCE_USER}
    assert record_wish(preferences, NORMAL, OPT_OUT, T1) is False  # again: nothing changes
    assert preferences.rows[NORMAL]["changed_at"] == T0
    assert record_wish(preferences, NORMAL, OPT_IN, T1) is True
    assert can_message(preferences, LEGACY)
    assert preferences.rows[NORMAL] == {"state": OPTED_IN, "changed_at": T1, "source": SOURCE_USER}


def test_alta_without_a_baja_changes_nothing(preferences):
    assert record_wish(preferences, NORMAL, OPT_IN, T0) is False
    assert preferences.rows == {} and can_message(preferences, NORMAL)


def test_anything_but_a_wish_is_refused(preferences):
    with pytest.raises(ValueError):
        record_wish(preferences, NORMAL, "maybe", T0)
    with pytest.raises(ValueError):
        preferences.opt_out(NORMAL, T0, "someone")


def test_a_send_refused_with_21610_opts_the_recipient_out(preferences):
    sender = RecordingSender()
    sender.fail("400 code=21610 the recipient unsubscribed", to=LEGACY, code=21610)
    result = asyncio.run(sender.send(LEGACY, "Recordatorio: tu cita es mañana"))
    assert (result.status, result.error_code) == ("failed", 21610)
    assert record_send_result(preferences, LEGACY, result, T0) is True
    assert not can_message(preferences, NORMAL)
    assert preferences.rows[NORMAL]["source"] == SOURCE_UNSUBSCRIBED
    assert record_send_result(preferences, LEGACY, result, T1) is False  # already out


@pytest.mark.parametrize("result", [
    SendResult("SM1", "queued"),
    SendResult(None, "failed", "400 code=63016 outside the window", 63016),
    SendResult(None, "failed", "connection refused"),
    object(),  # a Sent without error_code at all
])
def test_any_other_send_result_changes_nothing(preferences, result):
    assert record_send_result(preferences, NORMAL, result, T0) is False
    assert can_message(preferences, NORMAL)
