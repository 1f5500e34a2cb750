"""Persistence: SQLAlchemy 1.4 tables and repositories (SQLite default, PostgreSQL by URL)."""
