"""Background upkeep in a process of its own: `python -m appointments.worker`.

Two tasks, each at its own interval (loop.py): the retention purge
(appointments/adapters/sql/retention.py) at start and then every hour, and the appointment
reminders (reminders.py, appointments/services/reminders.py) every REMINDER_POLL_SECONDS.
The loop is plain synchronous code (the purge is blocking database I/O); the reminder
task keeps one event loop of its own for Twilio's async client. Any number of these
processes may run at once.
"""
