"""Settings every test shares: fast password hashing for fixtures (Django keeps mail in memory)."""

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        # Only the world's fixture passwords use it; every password set through Cartable is Argon2id.
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    settings.SECURE_SSL_REDIRECT = False
