"""The static files storage: WhiteNoise's, with each file's address worked out once per process."""

from __future__ import annotations

from whitenoise.storage import CompressedStaticFilesStorage


class StaticFilesStorage(CompressedStaticFilesStorage):
    """`{% static %}` asks the storage for an address every time, some 30 microseconds each, and every page
    has several; the addresses do not change while a process runs."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str | None, str] = {}

    def url(self, name: str | None) -> str:
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
