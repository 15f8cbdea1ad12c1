"""The type of a file, read from its first bytes (puremagic: pure Python, no system library), never from its
name or from what the uploader's browser claimed."""

from __future__ import annotations

import puremagic

HEAD_BYTES = 8192
UNKNOWN = "application/octet-stream"


def content_type(head: bytes) -> str:
    if not head:
        return "text/plain"
    try:
        found = puremagic.from_string(head, mime=True)
    except (puremagic.PureError, ValueError):
        found = ""
    if found:
        return str(found)[:100]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # The head may cut a multi-byte character: one more try without its last three bytes.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return UNKNOWN
    return "text/plain"
