"""A self-signed key and certificate, made once for local development and the tests (the SAML identity
provider's signing pair under var/): a deployment gives its own."""

from __future__ import annotations

import datetime
import fcntl
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def make_pair(common_name: str) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM): RSA 2048, valid ten years."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def ensure_pair(folder: Path, stem: str, common_name: str) -> tuple[str, str]:
    """The paths of `<stem>.key` and `<stem>.crt` in `folder`, made there the first time."""
    key_path, cert_path = folder / f"{stem}.key", folder / f"{stem}.crt"
    if key_path.exists() and cert_path.exists():
        return str(key_path), str(cert_path)
    folder.mkdir(parents=True, exist_ok=True)
    # Under a lock: the test workers starting together make one pair, not a key of one and a certificate of
    # another.
    with open(folder / f"{stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (key_path.exists() and cert_path.exists()):
            key_pem, cert_pem = make_pair(common_name)
            for path, data in ((key_path, key_pem), (cert_path, cert_pem)):
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(data)
                tmp.chmod(0o600)
                tmp.replace(path)
    return str(key_path), str(cert_path)
