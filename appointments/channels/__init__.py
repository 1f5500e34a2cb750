"""Messaging channels: the WhatsApp input channel for Rasa and the Twilio sender."""
