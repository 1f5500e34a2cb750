"""Rasa's built-in TwilioInput, unchanged but for where it sends replies: the local fake
of Twilio's REST API (TWILIO_API_BASE_URL). Only for bench/scale.py's comparison; the
project's channel is appointments/rasa/channels/whatsapp.py."""
from __future__ import annotations

import os

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.twilio import TwilioInput


class FakeBackedTwilioInput(TwilioInput):
    def get_output_channel(self) -> OutputChannel:
        channel = super().get_output_channel()
        channel.api.base_url = os.environ["TWILIO_API_BASE_URL"]  # twilio.rest.Client's Api
        return channel
