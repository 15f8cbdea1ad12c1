"""Test kinds (the apps' own kinds land with them), a real SMTP server (aiosmtpd) and a frozen Paris clock."""

from __future__ import annotations

import datetime
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from cartable.notifications import kinds
from cartable.notifications.kinds import Channel, EventKind

PARIS = ZoneInfo("Europe/Paris")
NOW = "tests.now"  # immediate by default
DAILY = "tests.daily"  # digest by default


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def test_kinds():
    added = [
        EventKind(
            code=NOW,
            label="Nouvelle chose",
            text=lambda data: f"Nouvelle chose : {data.get('title', '')}",
            default_channel=Channel.IMMEDIATE,
        ),
        EventKind(
            code=DAILY,
            label="Chose du jour",
            text=lambda data: f"Chose du jour : {data.get('title', '')}",
            default_channel=Channel.DIGEST,
        ),
    ]
    for kind in added:
        kinds.register_kind(kind)
    yield
    for kind in added:
        kinds.KINDS.pop(kind.code, None)


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1; Django's default mailer points at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield inbox
    controller.stop()


def text_of(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return part.get_content()
