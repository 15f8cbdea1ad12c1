"""The static files storage: WhiteNoise's, with hashed names and compressed copies, each file's address worked
out once per process.

In production `manage.py collectstatic` gathers the files into STATIC_ROOT, names each one after a hash of its
contents (`cartable.3f2a….css`) and writes gzip and brotli copies beside it; WhiteNoise serves the hashed
names with a ten-year, immutable Cache-Control and the compressed copy the browser accepts. With DEBUG
(`make run`) the pages link to the plain names, served from the source folders: no collectstatic needed.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # WhiteNoise has no types
    """`{% static %}` asks the storage for an address every time, some 30 microseconds each, and every page
    has several; the addresses do not change while a process runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str | None, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force:
            forced: str = super().url(name, force=True)
            return forced
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
