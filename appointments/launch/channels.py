"""The input channels credentials.yml names: Rasa builds them by class name through
`from_credentials`, so this is where they get their parts from the composition root
(appointments/bootstrap.py)."""
from __future__ import annotations

from typing import Any, Dict, Optional

from appointments import bootstrap
from appointments.rasa.channels.helpdesk_webhook import HelpdeskWebhooks
from appointments.rasa.channels.rest import RestInput as GuardedRest
from appointments.rasa.channels.whatsapp import WhatsAppChannel


class WhatsAppInput(WhatsAppChannel):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WhatsAppInput":
        parts = bootstrap.parts()
        return cls(parts.settings, parts.twilio_sender, parts.message_log, parts.handoff_cases,
                   parts.contact_preferences, parts.helpdesk_sync)


class RestInput(GuardedRest):
    @classmethod
    def from_credentials(cls, credentials: Optional[Any]) -> "RestInput":
        parts = bootstrap.parts()
        return cls(parts.settings, parts.handoff_cases)


class HelpdeskInput(HelpdeskWebhooks):
    @classmethod
    def from_credentials(cls, credentials: Optional[Any]) -> "HelpdeskInput":
        return cls(bootstrap.parts().helpdesk_inbound)
