"""Engines from a URL: a SQLite file by default, PostgreSQL through DATABASE_URL."""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import StaticPool

from appointments.adapters.sql.tables import (
    NO_OVERLAP,
    POSTGRES_NO_OVERLAP,
    SQLITE_NO_OVERLAP,
    appointments,
    handoff_cases,
    messages,
    metadata,
)
from appointments.domain.phones import normalize_phone

logger = logging.getLogger(__name__)

PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
# What SQLite keeps beside the database file (it gives them the database file's mode).
SIDE_FILES = ("-wal", "-shm", "-journal")


def _private_folder(folder: Path) -> None:
    """Create the database's folder (and missing parents) readable by us alone; a folder
    that already exists is left as it is (it may be shared on purpose, like /tmp)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(created, PRIVATE_DIR)  # mkdir's mode is cut by the umask


def _private_database_file(path: Path) -> None:
    """The SQLite file (and its -wal/-shm/-journal files) readable and writable by us alone.

    A new file is created 0600 before SQLite opens it (O_EXCL: no moment where it is
    readable by others); SQLite then creates the -wal and -shm files with the same mode.
    An existing file (older installs made it 0644) is tightened."""
    _private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    for candidate in [path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)]:
        try:
            if stat.S_IMODE(candidate.stat().st_mode) & 0o077:
                os.chmod(candidate, PRIVATE_FILE)
        except FileNotFoundError:
            continue
        except PermissionError:  # not ours: say so, and go on with what we were given
            logger.warning("cannot restrict the permissions of %s (not its owner)", candidate)


def create_database_engine(url: str) -> Engine:
    """An engine set up for how each backend is used here.

    SQLite: the file's folder is created (0700), the file is 0600, connections may move
    between threads (the action server runs actions in a thread pool), writers wait for
    each other instead of failing at once, and foreign keys are enforced. PostgreSQL:
    connections dropped by the server are replaced transparently (pool_pre_ping). Both:
    a failed statement's error (often logged with its traceback) leaves out the values,
    which hold phones and what people wrote (hide_parameters)."""
    if url.startswith("postgres://"):  # the scheme Heroku-style providers hand out
        url = "postgresql://" + url[len("postgres://"):]
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)

    in_memory = parsed.database in (None, "", ":memory:")
    if not in_memory and not parsed.database.startswith("file:"):  # a plain file path
        _private_database_file(Path(parsed.database))
    engine = create_engine(
        url,
        future=True,
        hide_parameters=True,
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
ADDED_COLUMNS = [
    ("messages", "author", "VARCHAR(8)"),
    ("messages", "agent_name", "VARCHAR(60)"),
    ("handoff_cases", "closed_agent", "VARCHAR(60)"),
    ("appointments", "service", "VARCHAR(40)"),
    # UtcDateTime's type on PostgreSQL; SQLite takes the name as it takes DATETIME (both
    # NUMERIC affinity; SQLAlchemy reads the value by the table's column type).
    ("appointments", "confirmed_at", "TIMESTAMP WITH TIME ZONE"),
    ("appointments", "attendance", "VARCHAR(16)"),
    ("appointments", "attendance_at", "TIMESTAMP WITH TIME ZONE"),
    ("appointments", "attendance_by", "VARCHAR(60)"),
    ("handoff_cases", "sender_id", "VARCHAR(64)"),
    ("messages", "idempotency_key", "VARCHAR(120)"),
    ("appointments", "language", "VARCHAR(5)"),
]


# Indexes added after their table first shipped (create_all makes indexes only together
# with a new table).
ADDED_INDEXES = ["ix_messages_created_at", "uq_messages_idempotency_key"]


# Serialises schema changes between processes starting at once on one PostgreSQL
# (replicas of Rasa, the action server, console and worker all call create_schema).
SCHEMA_LOCK = 0x53434845  # "SCHE"


def _create_added_indexes(bind: Any) -> None:
    for index in (i for t in metadata.sorted_tables for i in t.indexes):
        if index.name not in ADDED_INDEXES:
            continue
        try:
            index.create(bind, checkfirst=True)
        except DBAPIError:  # SQLite: another process created it a moment ago
            names = {i["name"] for i in inspect(bind).get_indexes(index.table.name)}
            if index.name not in names:
                raise


def _add_overlap_guard(connection: Any) -> None:
    """The database's refusal of overlapping booked appointments (tables.py), on a
    database made before it existed. SQLite: CREATE TRIGGER IF NOT EXISTS. PostgreSQL:
    the exclusion constraint unless there; if rows booked earlier already overlap it
    cannot be added: that is logged and the next start tries again (a savepoint keeps
    the rest of the schema work)."""
    if connection.dialect.name == "sqlite":
        for trigger in SQLITE_NO_OVERLAP:
            connection.execute(trigger)
        return
    if connection.dialect.name != "postgresql":
        return
    exists = connection.execute(
        text("SELECT 1 FROM pg_constraint WHERE conname = :name "
             "AND conrelid = to_regclass('appointments')"),
        {"name": NO_OVERLAP},
    ).first()
    if exists:
        return
    try:
        with connection.begin_nested():
            connection.execute(POSTGRES_NO_OVERLAP)
    except IntegrityError:
        logger.error("booked appointments overlap: the database cannot refuse overlaps "
                     "(%s) until they are moved or cancelled", NO_OVERLAP)


def _add_column(bind: Any, table: str, column: str, sql_type: str) -> None:
    statement = text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
    if not isinstance(bind, Engine):  # PostgreSQL, under the schema lock
        bind.execute(statement)
        return
    try:
        with bind.begin() as connection:
            connection.execute(statement)
    except DBAPIError:  # SQLite: another process added it a moment ago
        if column not in {c["name"] for c in inspect(bind).get_columns(table)}:
            raise


def _normalize_phones(connection: Any) -> None:
    """Rows written before phones were normalised (appointments/domain/phones.py) get
    the normal form: "+521" + 10 digits becomes "+52" + 10 digits, so a person's old
    appointments, cases and messages are found from either form. A handoff case first
    keeps the phone as written in `sender_id` (its conversation in Rasa). Idempotent:
    once every phone is normal, this only reads the distinct phones (indexed). The first
    statement writes, so on SQLite processes starting together take turns from there."""
    connection.execute(
        handoff_cases.update().where(handoff_cases.c.sender_id.is_(None))
        .values(sender_id=handoff_cases.c.phone)
    )
    for table in (appointments, handoff_cases, messages):
        written = connection.execute(select(table.c.phone).distinct()).scalars().all()
        changed = 0
        for phone in written:
            normal = normalize_phone(phone)
            if normal != phone:
                changed += connection.execute(
                    table.update().where(table.c.phone == phone).values(phone=normal)
                ).rowcount
        if changed:
            logger.info("%s: %d rows got their phone in normal form", table.name, changed)


def _create(bind: Any) -> None:
    metadata.create_all(bind)
    inspector = inspect(bind)
    for table, column, sql_type in ADDED_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            _add_column(bind, table, column, sql_type)
    _create_added_indexes(bind)
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            _add_overlap_guard(connection)
        with bind.begin() as connection:
            _normalize_phones(connection)
    else:
        _add_overlap_guard(bind)
        _normalize_phones(bind)


def create_schema(engine: Engine) -> None:
    """Create missing tables, indexes and later-added columns, and bring phones written
    before normalisation to their normal form; safe on every start, and
    on PostgreSQL safe when several processes start at once (one transaction under an
    advisory lock: the others wait, then find everything made)."""
    if engine.dialect.name != "postgresql":
        _create(engine)
        return
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        _create(connection)
