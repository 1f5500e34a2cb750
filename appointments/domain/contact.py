"""Whether a person still wants our messages: opting out ("BAJA") and back in ("ALTA").

A person who opted out gets no reminders nor notices (proactive messages); their
appointments stay, and the assistant still answers what they write. Twilio's error 21610
("the recipient unsubscribed") on a send counts as an opt-out too.
"""
from __future__ import annotations

OPTED_OUT, OPTED_IN = "out", "in"  # opt_outs.state
SOURCE_USER = "user"  # the person wrote an opt-out or opt-in word
SOURCE_UNSUBSCRIBED = "twilio_21610"  # Twilio refused a send: the recipient unsubscribed
SOURCES = (SOURCE_USER, SOURCE_UNSUBSCRIBED)
UNSUBSCRIBED_ERROR = 21610  # Twilio's error code for it
