"""Messaging in a person's lifecycle (cartable.lib.lifecycle): the messages they sent are contributions,
kept under "Ancien compte" unless they objected; the others' messages keep them among their recipients."""

from __future__ import annotations

from cartable.lib.lifecycle import Fate
from cartable.messaging.models import Message, Recipient, Report

PERSONAL_DATA = {
    Message: Fate.CONTRIBUTION,
    Recipient: Fate.RECORD,
    # Moderation: who reported a message, who handled the report.
    Report: Fate.RECORD,
}
