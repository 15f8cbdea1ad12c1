"""Text messages behind one small interface: the provider is a class named (dotted path) by the setting
NOTIFICATIONS_SMS_PROVIDER, with a `send(phone, text)` method. Cartable ships a log provider for development
and a memory provider for tests; a deployment plugs its operator's API in its own class."""

from __future__ import annotations

import logging
import re
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_PROVIDER = "cartable.notifications.sms.LogProvider"
MAX_LENGTH = 160
PHONE = re.compile(r"^\+?[0-9]{9,15}$")


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogProvider:
    """Development: the message goes to the log, with the number partly hidden."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s…%s: %s", phone[:3], phone[-2:], text)


class MemoryProvider:
    """Tests: messages are kept in `outbox` as (phone, text)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def provider() -> SmsProvider:
    return import_string(getattr(settings, "NOTIFICATIONS_SMS_PROVIDER", DEFAULT_PROVIDER))()


def normalize_phone(raw: str) -> str | None:
    """ "06 12 34 56 78" → "+33612345678"; None when it is not a phone number."""
    compact = re.sub(r"[\s.\-()]", "", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0") and len(compact) == 10:
        compact = "+33" + compact[1:]
    if not PHONE.match(compact):
        return None
    return compact if compact.startswith("+") else "+" + compact


def shorten(text: str) -> str:
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"
