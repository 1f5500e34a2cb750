"""Rasa extension points configured in endpoints.yml (stores, event broker)."""
