"""Local fake servers the integration tests share, each started for one test and stopped
after it: `twilio` (Twilio's REST API) and `receiver` (a helpdesk's webhook)."""
from __future__ import annotations

import pytest

from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.webhook_receiver import WebhookReceiver


@pytest.fixture
def twilio():
    fake = FakeTwilio()
    yield fake
    fake.stop()


@pytest.fixture
def receiver():
    fake = WebhookReceiver()
    yield fake
    fake.stop()
