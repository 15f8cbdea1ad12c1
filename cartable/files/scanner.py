"""The antivirus: a ClamAV daemon (clamd), reached through its socket with the INSTREAM command, so that the
daemon needs no access to the storage (S3 or a local folder alike): the file is streamed to it in chunks.

CLAMAV_ADDRESS says where clamd listens: `unix:///var/run/clamav/clamd.ctl` (Debian's clamav-daemon, the
default) or `tcp://127.0.0.1:3310`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings


class ScannerUnavailable(Exception):
    """clamd could not be reached, or did not answer: the file stays in quarantine and is tried again."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""  # what was found, when not clean


def _client(address: str, timeout: int) -> ClamdNetworkSocket:
    parsed = urlparse(address)
    if parsed.scheme == "tcp":
        return ClamdNetworkSocket(
            host=parsed.hostname or "127.0.0.1", port=parsed.port or 3310, timeout=timeout
        )
    if parsed.scheme in ("unix", ""):
        return ClamdUnixSocket(path=parsed.path or address, timeout=timeout)
    raise ValueError(f"CLAMAV_ADDRESS: unix:///path or tcp://host:port expected, not {address!r}")


def scan(stream: Any) -> Verdict:
    """What clamd says of the content of `stream`. Raises ScannerUnavailable when it cannot tell."""
    client = _client(settings.CLAMAV_ADDRESS, settings.CLAMAV_TIMEOUT)
    try:
        answer = client.instream(stream)
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    status, signature = answer.get("stream", ("ERROR", "no answer"))
    if status == "OK":
        return Verdict(clean=True)
    if status == "FOUND":
        return Verdict(clean=False, signature=str(signature or "")[:200])
    # ERROR: a limit of the daemon (size, time) or a broken stream: not a verdict, try again later.
    raise ScannerUnavailable(f"clamd: {status} {signature}")


def ping() -> bool:
    try:
        return _client(settings.CLAMAV_ADDRESS, 5).ping() == "PONG"
    except (ClamdError, OSError):
        return False
