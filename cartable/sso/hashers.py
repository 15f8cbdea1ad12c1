"""The hash of the OpenID Connect client secrets (django-oauth-toolkit's CLIENT_SECRET_HASHER).

A client secret is 128 random letters and digits (more than 700 bits) chosen by Cartable, not a password a
person chose: no dictionary reaches it, so a slow hash (Argon2id, 100 MiB and tens of milliseconds) would
protect nothing and cost every token exchange, when every pupil opens Moodle at 8 a.m. One salted SHA-256
keeps a stolen table from giving the secrets back. People's passwords never use it (the first hasher of
PASSWORD_HASHERS, Argon2id, makes them).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash


class ClientSecretHasher(BasePasswordHasher):
    algorithm = "cartable_client_secret"

    def salt(self) -> str:
        return secrets.token_hex(16)

    def encode(self, password: str, salt: str) -> str:
        digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return secrets.compare_digest(self.encode(password, decoded["salt"]), encoded)

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass
