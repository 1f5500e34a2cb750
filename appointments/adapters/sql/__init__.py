"""Persistence: SQLAlchemy 1.4 Core tables and repositories (SQLite by default,
PostgreSQL through DATABASE_URL). Nothing connects at import time."""
