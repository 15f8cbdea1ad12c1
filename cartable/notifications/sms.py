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

MAX_LENGTH = 160


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
    return import_string(settings.NOTIFICATIONS_SMS_PROVIDER)()


# Mobiles of the overseas departments are dialled 06 9x… at home, but reached through their own country code.
OVERSEAS_MOBILE_PREFIXES = {
    "639": "262",  # Mayotte
    "690": "590",  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "691": "590",
    "692": "262",  # La Réunion
    "693": "262",
    "694": "594",  # Guyane
    "696": "596",  # Martinique
    "697": "596",
}
FRENCH_MOBILE = re.compile(r"^\+(33|262|590|594|596)[67][0-9]{8}$")


def normalize_mobile(raw: str) -> str | None:
    """A French mobile number in international form: "06 12 34 56 78", "+33 (0)6 12 34 56 78" or
    "0033 6.12.34.56.78" → "+33612345678"; "0692 12 34 56" → "+262692123456". None for anything else (a
    landline cannot receive text messages; foreign numbers are not sent to)."""
    compact = re.sub(r"[\s.\-()/]", "", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"0[67][0-9]{8}", compact):
        code = OVERSEAS_MOBILE_PREFIXES.get(compact[1:4], "33")
        compact = f"+{code}{compact[1:]}"
    # "+33 (0)6…": the national 0 written after the country code.
    compact = re.sub(r"^\+(33|262|590|594|596)0", r"+\1", compact)
    return compact if FRENCH_MOBILE.match(compact) else None


def shorten(text: str) -> str:
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"
