"""Limits every channel applies to what users send, before NLU."""
MAX_MESSAGE_CHARS = 1600  # WhatsApp's own maximum; longer text is cut, not refused
