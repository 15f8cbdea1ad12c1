"""Argon2id at test strength: the tests set passwords through the pages and actions, and fail logins on
purpose, hundreds of times. Production keeps Django's parameters (settings.PASSWORD_HASHERS); only the suite
uses these, through the root conftest.py. The algorithm and the hash format are the same
(`argon2$argon2id$...`), so the tests of what is stored, of rehashing and of "one Argon2 computation per
login" still hold; only the cost is lower."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB: argon2's minimum is 8 per lane
    parallelism = 1
