"""Background upkeep in a process of its own: `python -m appointments.worker`.

Today it runs the retention purge (appointments/adapters/sql/retention.py) at start and then
every hour; the reminders worker is meant to join it as another task. The work is
blocking database I/O, so this is plain synchronous code in a loop: no event loop.
"""
