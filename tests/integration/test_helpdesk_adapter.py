"""What every helpdesk adapter does the same way, each against its product's local fake API
(tests/fakes/<product>_api.py): an unreachable helpdesk is worth retrying; a delivery
signed or sent with another secret is forbidden (403), one without the product's
authentication is unauthorized (401); a body that is no JSON object is a bad request
(400), never a crash. Each product's own cases are in test_<product>_adapter.py."""
import pytest

from tests.fakes.chatwoot_api import FakeChatwoot
from tests.fakes.freshdesk_api import FakeFreshdesk
from tests.fakes.intercom_api import FakeIntercom
from tests.fakes.zendesk_api import FakeZendesk
from tests.integration.helpdesk_adapters import (
    CASE, TRANSCRIPT, failure, helpdesk_for, refusal, run, serve,
)

# the fake, and how it sends a delivery without its authentication
PRODUCTS = {"chatwoot": (FakeChatwoot, {"signed": False}),
            "freshdesk": (FakeFreshdesk, {"with_header": False}),
            "zendesk": (FakeZendesk, {"signed": False}),
            "intercom": (FakeIntercom, {"signed": False})}


@pytest.fixture(params=list(PRODUCTS))
def fake(request):
    yield from serve(PRODUCTS[request.param][0]())


def forged_reply(fake):
    """An agent's reply as the product would deliver it, to send without its secret."""
    if fake.product == "zendesk":  # the trigger's body renders a ticket of the fake's
        opener = helpdesk_for(fake)
        ticket = int(run(opener, opener.open(CASE, TRANSCRIPT)))
        return fake.agent_comment(ticket, "te hackeo")
    if fake.product == "intercom":
        return fake.admin_reply("41", "<p>te hackeo</p>")
    return fake.agent_reply(41, "te hackeo")


def test_an_unreachable_helpdesk_is_worth_retrying(fake):
    fake.stop()
    helpdesk = helpdesk_for(fake)
    assert failure(helpdesk, helpdesk.open(CASE, [])).retry


@pytest.mark.parametrize("forgery, status", [("another secret", 403), ("unsigned", 401)])
def test_forged_webhooks_are_refused(fake, forgery, status):
    payload = forged_reply(fake)
    how = {"secret": "another-secret-0123456789"} if forgery == "another secret" \
        else PRODUCTS[fake.product][1]
    assert refusal(helpdesk_for(fake), fake.inbound(payload, **how)) == status


@pytest.mark.parametrize("body", [b"", b"no json", b"[1, 2]"])
def test_bodies_that_are_no_json_object_are_bad_requests_never_crashes(fake, body):
    assert refusal(helpdesk_for(fake), fake.inbound(body=body)) == 400
