"""The one error an action raises when it refuses: every app's actions raise it, every view catches it."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """The action was refused and nothing was written. `reason` is said to the person who tried
    (translated text); `field`, when given, is the form field it is about, so that the form keeps what they
    typed and shows the reason beside it."""

    def __init__(self, reason: Any, field: str | None = None) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.field = field
