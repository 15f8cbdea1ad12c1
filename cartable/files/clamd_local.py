"""A clamd of Cartable's own, for the tests, CI and the demo: its signature database is generated here
(nothing is downloaded) and holds the EICAR test signature, the harmless string every antivirus reports
as a virus.

Production uses the platform's clamd with its real, updated signatures (Debian's clamav-daemon and
clamav-freshclam); this one only proves the whole path, upload → quarantine → scan → verdict, end to end.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

# The 68 bytes of the EICAR test file (https://www.eicar.org), written in two halves so that no antivirus
# flags this source file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Cartable.Eicar-Test-Signature"
CLAMD = "/usr/sbin/clamd"


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (CLAMD if Path(CLAMD).exists() else None)


def write_database(directory: Path) -> Path:
    """An MD5 signature database (.hdb: `md5:size:name` per line) that knows the EICAR test file."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "cartable.hdb"
    digest = hashlib.md5(EICAR, usedforsecurity=False).hexdigest()
    database.write_text(f"{digest}:{len(EICAR)}:{SIGNATURE_NAME}\n")
    return database


def write_config(directory: Path, socket: Path) -> Path:
    """clamd's configuration: the generated database, a local socket, in the foreground (the caller
    stops it)."""
    database = directory / "db"
    write_database(database)
    config = directory / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"DatabaseDirectory {database}",
                f"LocalSocket {socket}",
                "Foreground yes",
                f"LogFile {directory / 'clamd.log'}",
                # Uploads are 10 MB at most (settings); a little room above it.
                "StreamMaxLength 64M",
                "MaxFileSize 64M",
                "SelfCheck 3600",
                "",
            ]
        )
    )
    return config


def start(directory: Path, socket: Path, wait: float = 30.0) -> subprocess.Popen[bytes]:
    """Start clamd and wait until it answers on `socket`; raises RuntimeError if it is not installed or
    does not come up."""
    binary = clamd_binary()
    if binary is None:
        raise RuntimeError("clamd is not installed (Debian: apt-get install clamav-daemon)")
    config = write_config(directory, socket)
    socket.unlink(missing_ok=True)
    process = subprocess.Popen(  # noqa: S603 (our own binary and configuration)
        [binary, "--config-file", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + wait
    from clamav_client.clamd import ClamdError, ClamdUnixSocket

    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (directory / "clamd.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"clamd stopped at once (exit {process.returncode}):\n{log}")
        try:
            if ClamdUnixSocket(path=str(socket), timeout=2).ping() == "PONG":
                return process
        except (ClamdError, OSError):
            pass
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"clamd did not answer on {socket} within {wait:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
