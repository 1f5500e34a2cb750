"""The agent console of the human handoff: a small web app (under /agent) where people
read handed-off WhatsApp conversations, answer them and give them back to the assistant.
Run it with `python -m appointments.console`."""
