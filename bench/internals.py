"""`python -m bench.internals` (make bench): does each shortcut through Django's or redis-py's internals still
pay for itself? One JSON line per place (ARCHITECTURE.md, "Framework internals we rely on for speed"): the
time of the shortcut against the public way, in the same process, on PostgreSQL and Redis like production.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cartable_bench, migrated here if
needed), BENCH_REDIS_URL (default redis://127.0.0.1:6379/1). A shortcut is kept while it takes at most 80 % of
the time of the public way.
"""

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable

from bench import dataset
from bench.run import figure, settings_env

KEEP_RATIO = 0.8


def per_call_us(function: Callable[[], object], calls: int, rounds: int = 5) -> float:
    """The best of a few rounds (the least disturbed by the other processes of the machine), per call."""
    function()
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


def compare(name: str, shortcut: float, public: float, public_name: str, unit: str = "us", **extra) -> None:
    ratio = shortcut / public if public else 0
    figure(
        name,
        shortcut,
        unit,
        baseline=(public_name, public),
        target=f"ratio <= {KEEP_RATIO}",
        ok=ratio <= KEEP_RATIO,
        **extra,
    )


def bench_read_user() -> None:
    from django.contrib.auth.backends import ModelBackend

    from cartable.accounts.backends import read_user
    from cartable.accounts.models import User

    user, _ = User.objects.get_or_create(username="bench.internals")
    orm = ModelBackend()
    compare(
        "read_user_us",
        per_call_us(lambda: read_user(user.pk), 2000),
        per_call_us(lambda: orm.get_user(user.pk), 2000),
        "orm_get_user_us",
    )


def bench_redis_client(redis_url: str) -> None:
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

    from cartable.lib.cache import RedisCache

    params = {"KEY_PREFIX": "cartable-bench-internals"}
    ours, django = RedisCache(redis_url, params), DjangoRedisCache(redis_url, params)
    ours.set("probe", 1)
    compare(
        "redis_get_us",
        per_call_us(lambda: ours.get("probe"), 3000),
        per_call_us(lambda: django.get("probe"), 3000),
        "django_redis_get_us",
    )
    # A version bump for the guardians of a collège: 2,000 keys deleted in one command.
    keys = [f"notifications:stamp:{n}" for n in range(2000)]
    compare(
        "redis_delete_many_2000_us",
        per_call_us(lambda: ours.delete_many(keys), 20),
        per_call_us(lambda: django.delete_many(keys), 20),
        "django_redis_delete_many_2000_us",
    )


def bench_url_for() -> None:
    from django.urls import reverse

    from cartable.lib.urls import url_for

    compare(
        "url_for_us",
        per_call_us(lambda: url_for("directory:person", 4242), 20000),
        per_call_us(lambda: reverse("directory:person", args=[4242]), 20000),
        "reverse_us",
    )


def full_collection_us() -> float:
    pauses = []
    for _ in range(7):
        started = time.perf_counter()
        gc.collect()
        pauses.append((time.perf_counter() - started) * 1e6)
    return statistics.median(pauses)


def bench_gc_freeze() -> None:
    """What a full collection costs once the application is loaded, with and without gc.freeze() (wsgi.py)."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loads every app's views and URL patterns, as a worker does
    get_template("portal/home.html")
    gc.collect()
    loose = full_collection_us()
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        compare("gc_full_collection_us", full_collection_us(), loose, "unfrozen_us", frozen_objects=frozen)
    finally:
        gc.unfreeze()


def bench_copy(rows: int = 5000) -> None:
    """New rows through psycopg's COPY, reached through Django's cursor wrapper (copy_rows, used by the
    directory's bulk writes), against bulk_create; both rolled back."""
    from django.db import connection, transaction

    from cartable.accounts.models import User

    if connection.vendor != "postgresql":
        return
    names = [f"bench.copy.{i}" for i in range(rows)]

    # As copy_rows does: the given column, then every other column's default, prepared once.
    others = [f for f in User._meta.concrete_fields if not f.primary_key and f.attname != "username"]
    columns = ", ".join(["username", *(f.column for f in others)])
    statement = f"COPY accounts_user ({columns}) FROM STDIN"

    def by_copy() -> None:
        constants = [f.get_db_prep_save(f.get_default(), connection) for f in others]
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(statement) as copy:
                for name in names:
                    copy.write_row([name, *constants])
            transaction.set_rollback(True)

    def by_bulk_create() -> None:
        with transaction.atomic():
            User.objects.bulk_create([User(username=name, password="!") for name in names], batch_size=1000)
            transaction.set_rollback(True)

    compare(
        "copy_rows_ms",
        per_call_us(by_copy, 1, rounds=3) / 1000,
        per_call_us(by_bulk_create, 1, rounds=3) / 1000,
        "bulk_create_ms",
        "ms",
        rows=rows,
    )


def main() -> int:
    database_url = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    dataset.setup_django(settings_env(database_url, redis_url))
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    bench_gc_freeze()  # first: the others add objects of their own
    bench_read_user()
    bench_redis_client(redis_url)
    bench_url_for()
    bench_copy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
