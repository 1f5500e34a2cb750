"""Input channels: WhatsApp through Twilio (webhook, per-sender line, turn runner) and
the guarded REST channel."""
