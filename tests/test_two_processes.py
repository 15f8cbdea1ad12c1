"""Two OS processes, one database, the default shared cache: a write made by another process (a task worker,
an import command) through an action is seen by this one at its next request. With a cache of each process,
the web process would keep serving the access facts it had (issue: a guardian linked to a child by an import
did not see the child for up to an hour)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from cartable.directory import versions
from cartable.lib import facts

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, as the other process reaches it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def in_another_process(code: str, prefix: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cartable.settings",
        "DATABASE_URL": database_url(),
        # The same key space of the same cache as this test (its own prefix, see conftest._isolated_cache).
        "CACHE_KEY_PREFIX": prefix,
        "DEBUG": "false",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def shared_cache(settings):
    """The cache as the settings give it without a test's help: Redis with REDIS_URL, else the database's."""
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    if not settings.REDIS_URL:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "cartable_cache",
                "KEY_PREFIX": prefix,
            }
        }
    facts.forget_local()
    yield prefix
    facts.forget_local()


@pytest.mark.django_db(transaction=True)
def test_a_guardian_linked_by_another_process_sees_the_child_at_the_next_request(client, shared_cache):
    from tests.world import build_world

    world = build_world()
    marie, carl = world.people["marie"], world.people["carl"]
    child_page = reverse("directory:person", args=[carl.pk])
    world.login(client, "marie")
    # Marie is not Carl's guardian: his page is not hers, her home does not name him.
    assert client.get(child_page).status_code == 404
    assert "Carl" not in client.get(reverse("portal:home")).content.decode()
    # Her facts are now cached, in this process and in the shared cache.
    assert facts._local

    out = in_another_process(
        "from django.conf import settings; from cartable.directory import actions; "
        "from cartable.directory.models import Person; "
        f"actions.link_guardian(Person.objects.get(pk={marie.pk}), Person.objects.get(pk={carl.pk})); "
        "print(settings.CACHES['default']['BACKEND'])",
        shared_cache,
    )
    # The other process wrote through the settings' own cache, not one of its own.
    expected = "RedisCache" if settings.REDIS_URL else "DatabaseCache"
    assert out.strip().endswith(expected)

    # At her next request, Marie sees Carl.
    assert client.get(child_page).status_code == 200
    assert "Carl" in client.get(reverse("portal:home")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_database_cache_is_shared_across_processes(shared_cache):
    """The default cache itself: a number renewed by another process is seen here."""
    key = versions.school_key(123456)
    before = facts.numbers([key])
    in_another_process(f"from cartable.lib import facts; facts.bump(['{key}'])", shared_cache)
    assert facts.numbers([key]) != before
