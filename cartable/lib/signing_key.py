"""The RSA key that signs the OpenID Connect ID tokens (cartable.sso.oidc).

Production gives its own key (`OIDC_SIGNING_KEY_FILE`, a PEM file): the web server refuses to start without it
outside DEBUG (cartable.lib.startup), as it refuses the demo SECRET_KEY. `make run` and the tests use a key
made once on this machine and kept under var/ (never in git): the applications of a local demo keep trusting
the same key across restarts, and every test process reads the same one.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCAL_KEY_NAME = "oidc-signing-key.pem"


def read_or_make(given: str, var_dir: Path) -> str:
    """The PEM text of the given key file, else of the local key (made at the first call)."""
    if given:
        return Path(given).read_text()
    path = var_dir / LOCAL_KEY_NAME
    if path.exists():
        return path.read_text()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    var_dir.mkdir(parents=True, exist_ok=True)
    part = var_dir / f"{LOCAL_KEY_NAME}.{os.getpid()}.part"
    part.write_bytes(pem)
    os.chmod(part, 0o600)
    try:
        # Two processes starting together: the first link wins, the other reads the winner's key.
        os.link(part, path)
    except FileExistsError:
        pass
    finally:
        part.unlink()
    return path.read_text()
