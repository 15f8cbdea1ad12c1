"""What every test shares: fast fixture passwords, an isolated cache, static files as production serves them,
and the permission world."""

import fcntl
import hashlib
import os
import shutil
import uuid
from pathlib import Path

import pytest

STORAGE_CODE = Path(__file__).resolve().parent / "cartable" / "lib" / "storage.py"


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """The static files as production serves them: gathered by `collectstatic` (hashed names, gzip and brotli
    copies) and served from there only, never from the source folders."""
    from django.test.utils import override_settings

    root = _collect_static()
    with override_settings(STATIC_ROOT=root, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        yield root


def _collect_static() -> Path:
    """Compressing Django admin's thousand files takes half a minute: the result is kept in var/test-static
    under a fingerprint of the sources, made once for all test processes, made again when a file changes."""
    import django
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.test.utils import override_settings

    digest = hashlib.sha256(f"{django.__version__} {STORAGE_CODE.read_bytes().hex()}".encode())
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list(["CVS", ".*", "*~"]), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    base = Path(__file__).resolve().parent / "var" / "test-static"
    base.mkdir(parents=True, exist_ok=True)
    root = base / digest.hexdigest()[:16]
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "staticfiles.json").exists():
            for old in base.iterdir():
                if old.is_dir():
                    shutil.rmtree(old)
            building = base / f"{root.name}.part"
            with override_settings(STATIC_ROOT=building):
                call_command("collectstatic", interactive=False, verbosity=0)
            building.rename(root)
    return root


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory) -> Path:
    """Uploads of the tests, one folder per test process (never var/media, the demo's)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _test_settings(settings, _media_root):
    settings.MEDIA_ROOT = _media_root
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        # Only the world's fixture passwords use it; every password set through Cartable is Argon2id.
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    settings.SECURE_SSL_REDIRECT = False
    # No antivirus unless a test asks for the real one (the `clamav` fixture): uploads stay in quarantine.
    settings.CLAMAV_ADDRESS = "unix:///nonexistent/cartable-test-clamd.sock"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache key space: login throttling counters never leak between tests, even
    when parallel test processes share one Redis (clearing Redis would wipe the other processes' keys)."""
    settings.CACHES = {
        alias: {**_one_process(config), "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for alias, config in settings.CACHES.items()
    }


DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def _one_process(config: dict) -> dict:
    """Without Redis the default cache is the database's (shared by every process, see settings.CACHES).
    A test runs in one process: it keeps its cache in memory, so that the pinned query counts count the
    page's own queries. The tests of the shared cache (tests/test_two_processes.py) put it back."""
    if config["BACKEND"] == DATABASE_CACHE:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return config


@pytest.fixture(autouse=True)
def _bumps_checked(monkeypatch):
    """Every action a test runs must bump the versions of the cached models it writes (tests/bumps.py)."""
    from tests.bumps import bumps_checked

    with bumps_checked(monkeypatch):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """On SQLite the test database is a file, not Django's in-memory default, so that another process can
    open it (tests/test_two_processes.py). One file per test process, under var/."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3" or db.get("TEST", {}).get("NAME"):
        return
    folder = Path(__file__).resolve().parent / "var"
    folder.mkdir(exist_ok=True)
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    db.setdefault("TEST", {})["NAME"] = str(folder / f"test-{worker}.sqlite3")


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


@pytest.fixture(scope="session")
def clamd_address():
    """A real ClamAV daemon for this test process, started from a configuration and a signature database
    (the EICAR test signature) generated by cartable.files.clamd_local: nothing downloaded. Skipped where
    clamd is not installed, except in CI (CI=true) where that is a failure."""
    import tempfile

    from cartable.files import clamd_local

    if clamd_local.clamd_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("clamd is required for the antivirus tests (apt-get install clamav-daemon)")
        pytest.skip("clamd is not installed: antivirus tests skipped (apt-get install clamav-daemon)")
    # Under /tmp: a Unix socket's path must stay short (108 bytes).
    directory = Path(tempfile.mkdtemp(prefix="cartable-clamd-", dir="/tmp"))
    socket = directory / "clamd.sock"
    try:
        process = clamd_local.start(directory, socket)
    except RuntimeError as error:
        shutil.rmtree(directory, ignore_errors=True)
        pytest.fail(str(error)) if os.environ.get("CI") == "true" else pytest.skip(str(error))
    yield f"unix://{socket}"
    clamd_local.stop(process)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def clamav(clamd_address, settings):
    """Uploads of this test are scanned by the real daemon (run the tasks to scan them)."""
    settings.CLAMAV_ADDRESS = clamd_address
    return clamd_address
