"""What every test shares: cheap password hashes, an isolated cache, static files as production serves
them, the permission world (built for each test, or once for a module: `module_world`), logged-in clients
(`as_user`) and the background worker (`run_tasks`). Shared fixtures are defined here only: the apps'
conftest.py files add their own kinds of data, never a second definition of these."""

import contextlib
import copy
import fcntl
import hashlib
import os
import shutil
import uuid
from pathlib import Path

import pytest

STORAGE_CODE = Path(__file__).resolve().parent / "cartable" / "lib" / "storage.py"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request, django_db_blocker):
    """On SQLite, a test database in a file under var/, one per test process, instead of Django's shared
    in-memory database: in memory, the browser tests' live server thread and the test's own thread share one
    cache whose table locks SQLite does not wait for ("database table is locked: accounts_user"); with a
    file, each connection waits for the other (WAL and the busy timeout of settings.py). PostgreSQL is left
    as pytest-django names it (one database per xdist worker)."""
    from django.conf import settings

    for alias, config in settings.DATABASES.items():
        if config["ENGINE"] != "django.db.backends.sqlite3" or config.get("TEST", {}).get("NAME"):
            continue
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        folder = Path(__file__).resolve().parent / "var" / "test-db"
        folder.mkdir(parents=True, exist_ok=True)
        config.setdefault("TEST", {})["NAME"] = str(folder / f"{alias}-{worker}.sqlite3")
    for alias, config in settings.DATABASES.items():
        if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("TEST", {}).get("TEMPLATE"):
            with django_db_blocker.unblock():
                config.setdefault("TEST", {})["TEMPLATE"] = _migrated_template(alias)


def _migrations_fingerprint() -> str:
    """What the migrated schema and its data depend on: Django's version and every Python file of the
    installed apps' code (the migrations, and the code their data migrations call)."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.__version__.encode())
    for config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        root = Path(config.path)
        files = (
            (root / "migrations").glob("*.py")
            if not config.name.startswith("cartable.")
            else root.rglob("*.py")
        )
        for path in sorted(files):
            if "tests" not in path.relative_to(root).parts:
                digest.update(f"{config.label} {path.relative_to(root)}\n".encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _migrated_template(alias: str) -> str:
    """On PostgreSQL each test process clones its test database from one migrated once (CREATE DATABASE
    ... TEMPLATE: a fraction of a second) instead of running every migration itself. The template is named
    after a fingerprint of the code that shapes it (`_migrations_fingerprint`), made by the first test
    process that needs it, kept for the next runs, made again when a migration or the code changes. The
    migrations still run on every fresh template: a clean clone's CI runs them once per run."""
    from django.core.management import call_command
    from django.db import connections

    connection = connections[alias]
    base = connection.settings_dict["NAME"]
    template = f"test_{base}_template_{_migrations_fingerprint()}"[:63]
    lock_path = Path(__file__).resolve().parent / "var" / "test-db" / f"{template}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"test_{base}_template_%"]
            )
            existing = {name for (name,) in cursor.fetchall()}
            for old in existing - {template}:
                cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
        if template in existing:
            return template
        building = f"{template}_part"[:63] if len(template) < 58 else f"{template[:58]}_part"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')
            cursor.execute(f'CREATE DATABASE "{building}"')
        connection.close()
        kept = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = building
        try:
            call_command("migrate", database=alias, interactive=False, verbosity=0, run_syncdb=True)
        finally:
            connection.close()
            connection.settings_dict["NAME"] = kept
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    return template


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """The static files as production serves them: gathered by `collectstatic` (hashed names, gzip and brotli
    copies) and served from there only, never from the source folders."""
    from django.test.utils import override_settings

    root = _collect_static()
    with override_settings(STATIC_ROOT=root, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        yield root


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """WhiteNoise lists STATIC_ROOT (Django admin's thousand files and their compressed copies: about a
    second) when its middleware is built, that is once per process in production but once per test `Client()`
    here, and the access matrix alone makes thousands of them. The listing is kept for the session, per
    configuration that shapes it; the files themselves never change during a session (`collected_static`).
    Each middleware still gets its own dictionary, filled as WhiteNoise would fill it."""
    from django.conf import settings
    from whitenoise.base import WhiteNoise

    original = WhiteNoise.update_files_dictionary
    listed: dict[tuple, dict] = {}

    def update_files_dictionary(self, root, prefix):
        key = (
            type(self),
            root,
            prefix,
            os.stat(root).st_mtime_ns,
            getattr(self, "static_prefix", None),
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            self.add_headers_function,
            self.__dict__.get("immutable_file_test"),
            repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
            repr(settings.STORAGES.get("staticfiles")),
            settings.STATIC_URL,
        )
        files = listed.get(key)
        if files is None:
            kept, self.files = self.files, {}
            try:
                original(self, root, prefix)
                files = listed[key] = self.files
            finally:
                self.files = kept
        self.files.update(files)

    WhiteNoise.update_files_dictionary = update_files_dictionary
    yield
    WhiteNoise.update_files_dictionary = original


@pytest.fixture(scope="session", autouse=True)
def _flush_by_deleting():
    """After a test that commits (`transactional_db`, the browser tests), Django empties every table with
    one TRUNCATE of all 77 tables, which PostgreSQL makes slow (each table gets new files: seconds on a
    loaded machine). Deleting the few rows those tests write is ten times faster and leaves the same empty
    tables: every foreign key of the schema is deferrable (checked here), so the order of the DELETEs does
    not matter inside the flush's transaction. Sequences are reset as before when a test asks for it."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables or not _foreign_keys_all_deferrable(self.connection):
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Table names from Django's introspection of the test database.
        deletes = [f"DELETE FROM {self.quote_name(table)}" for table in tables]  # noqa: S608
        return ["SET CONSTRAINTS ALL DEFERRED", *deletes]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


def _foreign_keys_all_deferrable(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint"
            " WHERE contype = 'f' AND NOT (condeferrable AND confdeltype = 'a')"
        )
        return cursor.fetchone()[0] == 0


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


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """For the whole session, so that a world built once for a module (`module_world`) meets them too."""
    from django.test.utils import override_settings

    hashers = [
        # Argon2id at test strength (tests/hashers.py): same algorithm and format, a fraction of the cost.
        # Production keeps Django's parameters.
        "tests.hashers.CheapArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        # Only the world's fixture passwords use it; every password set through Cartable is Argon2id.
        "django.contrib.auth.hashers.MD5PasswordHasher",
        # The OpenID Connect client secrets, as in production (cartable/sso/hashers.py).
        "cartable.sso.hashers.ClientSecretHasher",
    ]
    with override_settings(
        PASSWORD_HASHERS=hashers,
        SECURE_SSL_REDIRECT=False,
        # Uploads of the tests, one folder per test process (never var/media, the demo's).
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # No antivirus unless a test asks for the real one (the `clamav` fixture): uploads stay in quarantine.
        CLAMAV_ADDRESS="unix:///nonexistent/cartable-test-clamd.sock",
    ):
        yield


def _caches_of_their_own(caches: dict) -> dict:
    return {
        alias: {**_one_process(config), "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for alias, config in caches.items()
    }


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache key space: login throttling counters never leak between tests, even
    when parallel test processes share one Redis (clearing Redis would wipe the other processes' keys).
    It also makes every cached fact and version number start afresh, which `module_world` relies on."""
    settings.CACHES = _caches_of_their_own(settings.CACHES)


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


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()


@contextlib.contextmanager
def written_once_for_the_module(django_db_blocker, build):
    """Rows written once for a whole module, inside a transaction rolled back after its last test. Each test
    runs in its own savepoint inside it (the `db` fixture), so whatever a test writes is gone before the next
    one, in whatever order they run. The versions `build` bumps and the facts it reads go to a key space
    nobody reads afterwards."""
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(CACHES=_caches_of_their_own(settings.CACHES)):
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _world_of_the_module(django_db_setup, django_db_blocker):
    """The permission world written once for a whole module (see `module_world`)."""
    from tests.world import build_world

    with written_once_for_the_module(django_db_blocker, build_world) as built:
        yield built


@pytest.fixture
def module_world(_world_of_the_module, db):
    """The permission world built once per module (the access matrix visits 200 routes with it): same rows,
    same ids for every test of the module. A module opts in with

        @pytest.fixture
        def world(module_world):
            return module_world

    Why it stays independent: the rows a test writes are rolled back with its savepoint; the cached facts
    and version numbers a test sees live under its own cache key space (`_isolated_cache`), so a rolled-back
    write whose version bump stayed in Redis meets no fact of another test (a bump renews the number, and
    the next test does not even read the same number); and each test gets its own copy of the Python
    objects, so an attribute a test changes on `world.alice` is not seen by the next one.

    Not for tests that commit (`transactional_db`, the live server): their writes would outlive the
    savepoint. Nor for modules that build the world at a travelled time: it is built before any test."""
    return copy.deepcopy(_world_of_the_module)


@pytest.fixture
def as_user(world):
    """A logged-in browser (Django's test client) for a persona of the permission world, as after a real
    login with the second factor given: `as_user("tom")`; `as_user("tom", verified=False)` for staff who
    still owe it."""
    from django.test import Client

    def login(name: str, *, verified: bool = True) -> Client:
        return world.login(Client(), name, verified=verified)

    return login


@pytest.fixture
def run_tasks(monkeypatch):
    """Run every queued background task now, with the real database worker (`manage.py db_worker`).
    Tasks are enqueued when a transaction commits: wrap the action in
    `django_capture_on_commit_callbacks(execute=True)` first.

    The worker closes connections it takes for broken between tasks; a test's connection sits inside the
    test's transaction (not in autocommit), which PostgreSQL's backend reports as unusable, so the worker
    would close it and lose the test's data: that one check is left out here. Defined here only: the apps'
    tests use this one."""
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
