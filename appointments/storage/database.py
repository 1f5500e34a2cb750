"""Engines from a URL: a SQLite file by default, PostgreSQL through DATABASE_URL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

from appointments.storage.tables import metadata


def create_database_engine(url: str) -> Engine:
    """An engine set up for how each backend is used here.

    SQLite: the file's folder is created, connections may move between threads (the
    action server runs actions in a thread pool), writers wait for each other instead
    of failing at once, and foreign keys are enforced. PostgreSQL: connections dropped
    by the server are replaced transparently (pool_pre_ping)."""
    if url.startswith("postgres://"):  # the scheme Heroku-style providers hand out
        url = "postgresql://" + url[len("postgres://"):]
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)

    in_memory = parsed.database in (None, "", ":memory:")
    if not in_memory:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        future=True,
        connect_args={"check_same_thread": False, "timeout": 15},
        # one shared connection, or every connection would see its own empty database
        **({"poolclass": StaticPool} if in_memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.close()

    return engine


# Columns added after their table first shipped: (table, column, SQL type).
ADDED_COLUMNS = [("messages", "author", "VARCHAR(8)")]


def create_schema(engine: Engine) -> None:
    """Create missing tables, indexes and later-added columns; safe on every start."""
    metadata.create_all(engine)
    inspector = inspect(engine)
    for table, column, sql_type in ADDED_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
