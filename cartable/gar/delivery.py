"""Packing the GAR files and sending them to the GAR's SFTP server.

The files of one export go into one `ENT_<source>_Complet_<stamp>.tar.gz`, beside its `.md5` (the archive's
MD5 in `md5sum`'s format: "<hex>  <name>"), by which the GAR checks that the archive arrived whole. The
archive is sent first under a temporary name and renamed once complete, then the .md5: the GAR never picks up
half a file.

The server is the GAR's (GAR_SFTP_HOST, GAR_SFTP_PORT, GAR_SFTP_USER), reached with the private key
GAR_SFTP_KEY; its host key must be in GAR_SFTP_KNOWN_HOSTS (an unknown or changed key is refused, never
accepted on first use)."""

from __future__ import annotations

import hashlib
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import paramiko
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cartable.gar import export

CONNECT_TIMEOUT = 30


@dataclass(frozen=True)
class Package:
    archive: Path
    checksum: Path
    md5: str


def is_configured() -> bool:
    return bool(settings.GAR_SFTP_HOST)


def pack(files: list[Path], output_dir: Path, name: str) -> Package:
    """The files in a gzip'd tar (flat: the GAR reads the files' names, not folders), and its .md5."""
    archive = output_dir / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.name)
    digest = hashlib.md5(archive.read_bytes(), usedforsecurity=False).hexdigest()
    checksum = output_dir / f"{name}.tar.gz.md5"
    checksum.write_text(f"{digest}  {archive.name}\n", encoding="ascii")
    return Package(archive, checksum, digest)


def _client() -> paramiko.SSHClient:
    given = {
        "GAR_SFTP_USER": settings.GAR_SFTP_USER,
        "GAR_SFTP_KEY": settings.GAR_SFTP_KEY,
        "GAR_SFTP_KNOWN_HOSTS": settings.GAR_SFTP_KNOWN_HOSTS,
    }
    for name, value in given.items():
        if not value:
            raise ImproperlyConfigured(f"{name} must be set to deliver the GAR export")
    client = paramiko.SSHClient()
    client.load_host_keys(settings.GAR_SFTP_KNOWN_HOSTS)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        settings.GAR_SFTP_HOST,
        port=settings.GAR_SFTP_PORT,
        username=settings.GAR_SFTP_USER,
        key_filename=settings.GAR_SFTP_KEY,
        look_for_keys=False,
        allow_agent=False,
        timeout=CONNECT_TIMEOUT,
        banner_timeout=CONNECT_TIMEOUT,
        auth_timeout=CONNECT_TIMEOUT,
    )
    return client


def send(package: Package) -> list[str]:
    """Upload the archive then its .md5 into GAR_SFTP_REMOTE_DIR; returns the remote paths."""
    remote_dir = PurePosixPath(settings.GAR_SFTP_REMOTE_DIR)
    sent: list[str] = []
    client = _client()
    try:
        sftp = client.open_sftp()
        for local in (package.archive, package.checksum):
            final = str(remote_dir / local.name)
            partial = f"{final}.part"
            sftp.put(str(local), partial, confirm=True)
            sftp.rename(partial, final)
            sent.append(final)
        sftp.close()
    finally:
        client.close()
    return sent


def export_and_pack(output_dir: Path, now: datetime, uai: str | None = None) -> Package:
    """Write the files and pack them (`manage.py export_gar`, and the nightly task before it sends)."""
    files = export.export(output_dir, settings.GAR_SOURCE, now, uai)
    return pack(files, output_dir, f"ENT_{settings.GAR_SOURCE}_Complet_{now:%Y%m%d_%H%M%S}")
