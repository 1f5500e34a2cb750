"""In-memory fake of the ContactPreferences port (appointments/domain/ports.py), with the
SQL adapter's semantics (tests/integration/test_contact_preferences.py holds it to them):
one row per phone in normal form, created by the first opt-out; opting out again keeps
the first time and source; opting in changes only an opted-out row."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Dict

from appointments.domain.contact import OPTED_IN, OPTED_OUT, SOURCE_USER, SOURCES
from appointments.domain.phones import normalize_phone


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database: times must be aware")
    return value.astimezone(timezone.utc)


class InMemoryContactPreferences:
    def __init__(self) -> None:
        self.rows: Dict[str, Dict[str, object]] = {}  # phone -> {state, changed_at, source}
        self._lock = threading.RLock()

    def opt_out(self, phone: str, at: datetime, source: str) -> bool:
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        phone, at = normalize_phone(phone), _utc(at)
        with self._lock:
            row = self.rows.get(phone)
            if row is not None and row["state"] == OPTED_OUT:
                return False
            self.rows[phone] = {"state": OPTED_OUT, "changed_at": at, "source": source}
            return True

    def opt_in(self, phone: str, at: datetime) -> bool:
        phone, at = normalize_phone(phone), _utc(at)
        with self._lock:
            row = self.rows.get(phone)
            if row is None or row["state"] != OPTED_OUT:
                return False
            row.update(state=OPTED_IN, changed_at=at, source=SOURCE_USER)
            return True

    def is_opted_out(self, phone: str) -> bool:
        with self._lock:
            row = self.rows.get(normalize_phone(phone))
            return row is not None and row["state"] == OPTED_OUT
