"""Unit tests never touch a database: the service's repository is the in-memory fake
(tests/fakes/ports.py), held to the SQL adapter's behaviour by
tests/integration/test_repository_contract.py."""
import pytest

from tests.conftest import TZ
from tests.fakes.ports import InMemoryAppointmentRepository


@pytest.fixture
def repository() -> InMemoryAppointmentRepository:
    return InMemoryAppointmentRepository(TZ)
