"""The benchmark database: created once, migrated, seeded with the 100k-account dataset once per size."""

import os
import sys
from urllib.parse import urlparse

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cartable_bench"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def size_label(schools: int, pupils: int) -> str:
    return f"cartable-bench schools={schools} pupils-per-class={pupils}"


def maintenance_url(url: str) -> tuple[str, str]:
    """The same server's `postgres` database (to create or drop ours) and our database's name."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    return parsed._replace(path="/postgres").geturl(), name


def prepare_database(url: str, schools: int, pupils: int) -> bool:
    """Make sure the database exists; return True when it already holds a dataset of this size.

    The size is recorded as the database's comment, so a different BENCH_SCHOOLS starts over.
    """
    admin_url, name = maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None and row[0] == size_label(schools, pupils):
            return True
        if row is not None:
            log(f"database {name} holds another dataset ({row[0]!r}): recreating it")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def record_size(url: str, schools: int, pupils: int) -> None:
    admin_url, name = maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(size_label(schools, pupils))
            )
        )


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def migrate_and_seed(url: str, schools: int, pupils: int, already_seeded: bool) -> None:
    from django.core.management import call_command

    from cartable.directory.demo import refresh_planner_statistics

    call_command("migrate", verbosity=0, interactive=False)
    if already_seeded:
        log("dataset already seeded with this size: reused")
        refresh_planner_statistics()  # cheap, and a restored or freshly copied database may lack them
        return
    log(f"seeding {schools} schools, {pupils} pupils per class (once)")
    call_command("seed_demo", schools=schools, pupils_per_class=pupils, stdout=sys.stderr)
    record_size(url, schools, pupils)


def bench_guardian() -> str:
    """The demo guardian's login, with the current charter accepted so that / is the home page."""
    from cartable.accounts.actions import current_charter
    from cartable.accounts.models import CharterAcceptance, User
    from cartable.directory import demo

    guardian = next(account for account in demo.demo_accounts() if account.is_guardian)
    charter = current_charter()
    if charter is not None:
        user = User.objects.get(username=guardian.login)
        CharterAcceptance.objects.get_or_create(user=user, charter=charter)
    return guardian.login


def account_count() -> int:
    from cartable.accounts.models import User

    return User.objects.count()
