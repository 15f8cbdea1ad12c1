"""How a stored file leaves Cartable: only clean, only after the owning object's access check (the caller's
job: `messaging.access.attachment_or_404`, `homework.access.attachment_or_404`…), streamed from the storage.

Only plain raster images may show in the page; anything else a browser could run or render (HTML, SVG,
JavaScript, XML, PDF…) is a download (`Content-Disposition: attachment`). `nosniff` forbids the browser to
guess another type, and the sandbox CSP keeps even a file opened by hand from running script.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from cartable.files.models import StoredFile

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def file_response(request: HttpRequest, stored: StoredFile, name: str = "") -> HttpResponseBase:
    if stored.is_pending:
        # In quarantine: not served yet. 409, and a page that says why, for whoever followed an old link.
        return render(
            request, "files/pending.html", {"stored": stored, "name": name or stored.name}, status=409
        )
    if not stored.is_clean or not stored.file.name:
        raise Http404  # infected: never served
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = stored.content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name or stored.name,
        content_type=stored.content_type if inline else _download_type(stored.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


def _download_type(content_type: str) -> str:
    # A type a browser would render (text/html, image/svg+xml, application/xhtml+xml…) is sent as bytes: a
    # download cannot turn into a page, whatever the browser does with the disposition.
    if content_type.startswith("text/") and content_type != "text/plain":
        return "application/octet-stream"
    if "html" in content_type or "xml" in content_type or "javascript" in content_type:
        return "application/octet-stream"
    return content_type or "application/octet-stream"
