"""Telling the business about a booking, a change or a cancellation, once it is done.

The notice goes to the notifiers a handoff uses (services.notifiers(): WhatsApp/SMS to
AGENT_PHONE_NUMBER, the signed HANDOFF_WEBHOOK_URL), but on the process's notice worker
(a loop of its own in a thread), not awaited here: a slow or dead notifier neither
delays nor changes what the user reads, and nothing here raises. BUSINESS_NOTIFY says
which of the three changes are sent.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Optional

from rasa_sdk import Tracker

from actions import services
from appointments.adapters.appointment_notices import AppointmentNotice
from appointments.domain.appointment import Appointment
from appointments.privacy import mask_phone
from appointments.services import handoff_summary

logger = logging.getLogger(__name__)


def notify_business(kind: str, appointment: Appointment, tracker: Tracker,
                    previous_start: Optional[datetime] = None) -> None:
    """Queue the notice of `kind` ("booked", "rescheduled", "cancelled") if the
    business wants it and someone is configured to receive it."""
    try:
        settings = services.settings()
        notifiers = services.notifiers()
        if kind not in settings.business_notify or not notifiers.configured:
            return
        offering = settings.business.offering(appointment.service)
        notice = AppointmentNotice.of(
            kind, appointment, service_name=offering.name if offering else None,
            customer_name=handoff_summary.profile_name(tracker.events),
            previous_start=previous_start)

        async def send() -> None:
            delivered = await notifiers.notify(notice)
            if not delivered:
                logger.warning("%s notice of %s (%s) reached nobody", notice.event,
                               notice.subject(), mask_phone(notice.phone))

        services.notice_worker().submit(appointment.code, send)
    except Exception:  # noqa: BLE001 - the user's reply never depends on the notice
        logger.exception("%s notice of appointment %s not queued", kind, appointment.code)
