"""Fixtures the contract tests share: each scenario runs on the in-memory fake and on the
SQL adapter (SQLite, and PostgreSQL with the postgres marker). Import them by name."""
from __future__ import annotations

import pytest


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend) -> str:
    """For conftest's `engine` (a fresh schema), on the SQL backends only."""
    return request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
