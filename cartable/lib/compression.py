"""Pages compressed on their way out: gzip for text (HTML, JSON, iCalendar, CSV), not for files that are
compressed already (PDF letters, images, attachments), whose downloads keep their Content-Length.

Django's GZipMiddleware pads each compressed body with a random number of bytes (since Django 4.2), so that
an attacker cannot guess a secret of the page from the compressed size (BREACH); the CSRF token is also masked
differently on every response. Static files never reach it: WhiteNoise, above it, answers them with the gzip
or brotli copy made by collectstatic.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class GZipMiddleware(DjangoGZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
