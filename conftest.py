"""What every test shares: fast fixture passwords, an isolated cache, and the permission world."""

import uuid

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


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache key space: login throttling counters never leak between tests, even
    when parallel test processes share one Redis (clearing Redis would wipe the other processes' keys)."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()


@pytest.fixture
def run_tasks(monkeypatch):
    """Run every queued background task now, with the real database worker (`manage.py db_worker`).
    Tasks are enqueued when a transaction commits: wrap the action in
    `django_capture_on_commit_callbacks(execute=True)` first.

    The worker closes connections it takes for broken between tasks; a test's connection sits inside the
    test's transaction (not in autocommit), which PostgreSQL's backend reports as unusable, so the worker
    would close it and lose the test's data: that one check is left out here."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run
