"""The in-memory fakes and the production adapters have every method of their port
(appointments/domain/ports.py), with the port's parameters (names, order, defaults),
sync or async as the port says; extra parameters only with a default. What the fakes
do is held to the SQL adapters by tests/integration/test_repository_contract*.py."""
import inspect

import pytest

from appointments.adapters.rasa_http import RasaClient
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.contact_preferences import SqlContactPreferences
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.reminders import SqlReminderQueue
from appointments.adapters.twilio import SendResult, TwilioSender
from appointments.domain import ports

from tests.fakes import ports as fakes

IMPLEMENTATIONS = [
    (ports.AppointmentRepository, fakes.InMemoryAppointmentRepository),
    (ports.AppointmentRepository, SqlAppointmentRepository),
    (ports.HandoffCases, fakes.InMemoryHandoffCases),
    (ports.HandoffCases, SqlHandoffRepository),
    (ports.MessageLog, fakes.InMemoryMessageLog),
    (ports.MessageLog, SqlMessageLog),
    (ports.ContactPreferences, fakes.InMemoryContactPreferences),
    (ports.ContactPreferences, SqlContactPreferences),
    (ports.MessageSender, fakes.RecordingSender),
    (ports.MessageSender, TwilioSender),
    (ports.ReminderQueue, fakes.InMemoryReminderQueue),
    (ports.ReminderQueue, SqlReminderQueue),
    (ports.AssistantControl, fakes.FakeAssistant),
    (ports.AssistantControl, RasaClient),
]


def port_methods(port):
    return {name: member for name, member in vars(port).items()
            if inspect.isfunction(member) and not name.startswith("_")}


def mismatches(port, implementation):
    found = []
    for name, wanted in port_methods(port).items():
        given = getattr(implementation, name, None)
        if given is None:
            found.append(f"{name}: missing")
            continue
        if inspect.iscoroutinefunction(wanted) != inspect.iscoroutinefunction(given):
            found.append(f"{name}: async differs")
        want = list(inspect.signature(wanted).parameters.values())
        have = list(inspect.signature(given).parameters.values())
        shape = [(p.name, p.kind, p.default) for p in want]
        if [(p.name, p.kind, p.default) for p in have[:len(want)]] != shape:
            found.append(f"{name}: parameters {have} instead of {want}")
        if any(p.default is inspect.Parameter.empty for p in have[len(want):]):
            found.append(f"{name}: extra parameters without a default")
    return found


@pytest.mark.parametrize("port, implementation", IMPLEMENTATIONS,
                         ids=[i.__name__ for _, i in IMPLEMENTATIONS])
def test_the_implementation_has_the_ports_methods(port, implementation):
    assert port_methods(port)  # the port has something to compare with
    assert mismatches(port, implementation) == []


def test_the_check_sees_a_wrong_signature():
    class Wrong:
        def get(self, code, extra): ...  # noqa: E704

        async def booked_intervals(self, start, end): ...  # noqa: E704

    found = mismatches(ports.AppointmentRepository, Wrong)
    assert "add: missing" in found and "booked_intervals: async differs" in found
    assert "get: extra parameters without a default" in found


@pytest.mark.parametrize("result", [fakes.SendResult("SM1", "queued"), SendResult("SM1", "queued")])
def test_send_results_have_the_fields_of_sent(result):
    fields = [name for name, value in vars(ports.Sent).items() if isinstance(value, property)]
    assert {name: getattr(result, name) for name in fields} == {
        "sid": "SM1", "status": "queued", "error": None, "error_code": None}
