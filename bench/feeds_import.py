"""`python -m bench.feeds_import`: the AAF importer on a synthetic académie feed, in PostgreSQL.

For each size (BENCH_FEEDS_SIZES, default "10000,100000" persons) a feed is generated (bench.aaf_feed, kept
in BENCH_FEEDS_DIR between runs), the database (BENCH_FEEDS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/cartable_bench_feeds) is recreated and migrated, then the feed is
imported in a fresh process, three times: the first import, the unchanged feed again (recognised by its
fingerprint), and the unchanged feed read again record by record (`--force`). Figures, one JSON line each on
stdout (bench.run.figure): persons per second (target >= 3,000), peak RSS of the import process (<= 300 MB),
the same peak RSS at every size (flat memory, +-15 %), the re-import: <= 1/3 of the first import's time with
zero writes, counted twice: statements the process sent (INSERT/UPDATE/DELETE/COPY) and rows PostgreSQL saw
written (pg_stat_database tup_inserted + tup_updated + tup_deleted); and the forced re-read's time and writes.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

from bench.aaf_feed import generate
from bench.dataset import log, maintenance_url
from bench.run import figure

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cartable_bench_feeds"
DEFAULT_DIR = "/tmp/cartable-bench-feeds"
SECRET_KEY = "cartable-bench-only-not-a-secret"
RATE_TARGET = 3000.0
RSS_TARGET_MB = 300.0
FLAT_TOLERANCE = 0.15
REIMPORT_RATIO = 1 / 3


def child_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cartable.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "cartable-bench-feeds",
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
    }


def recreate_database(url: str) -> None:
    admin_url, name = maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def rows_written(url: str) -> int:
    """Rows inserted, updated or deleted in the database so far, as PostgreSQL counts them."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database"
            " WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def run_child(args: list[str], env: dict[str, str]) -> dict:
    """Run `python -m bench.feeds_import --child …` and return the JSON object it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.feeds_import", "--child", *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def stable_rows_written(url: str) -> int:
    # Backends report their counters when they end; give the statistics a moment to settle.
    previous = rows_written(url)
    for _ in range(20):
        time.sleep(0.5)
        current = rows_written(url)
        if current == previous:
            return current
        previous = current
    return previous


def bench_size(persons: int, url: str, env: dict[str, str], feeds_dir: Path) -> dict:
    feed = feeds_dir / f"persons-{persons}"
    marker = feed / "written.json"
    if marker.exists():
        written = json.loads(marker.read_text())
        log(f"feed of {persons} persons reused from {feed}")
    else:
        log(f"generating a feed of {persons} persons in {feed}")
        written = generate(feed, persons)
        marker.write_text(json.dumps(written))
    people = written["Eleve"] + written["PersRelEleve"] + written["PersEducNat"]
    log(f"recreating {maintenance_url(url)[1]} and migrating")
    recreate_database(url)
    run_child(["setup"], env)
    results = {}
    # first import; the same feed again (recognised by its fingerprint); read again record by record (--force)
    for run, extra in (("first", []), ("again", []), ("forced", ["--force"])):
        before = stable_rows_written(url)
        log(f"importing {people} persons ({run})")
        started = time.perf_counter()
        result = run_child(["import", str(feed), *extra], env)
        result["wall"] = time.perf_counter() - started
        result["rows_written"] = stable_rows_written(url) - before
        results[run] = result
        log(
            f"{run}: {result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s CPU in the importer, load "
            f"{os.getloadavg()[0]:.1f}), {people / result['seconds']:.0f} persons/s, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB, {result['write_statements']} write statements, "
            f"{result['rows_written']} rows written"
        )
    return {"persons": people, **results}


def report(sizes: dict[int, dict]) -> bool:
    ok_all = True
    for size, found in sizes.items():
        first = found["first"]
        rate = found["persons"] / first["seconds"]
        ok = rate >= RATE_TARGET
        ok_all &= ok
        figure(f"aaf_import_persons_per_s_{size}", rate, "persons/s", target=f">= {RATE_TARGET:.0f}", ok=ok)
        rss = max(first["peak_rss_mb"], found["again"]["peak_rss_mb"])
        ok = rss <= RSS_TARGET_MB
        ok_all &= ok
        figure(f"aaf_import_peak_rss_{size}", rss, "MB", target=f"<= {RSS_TARGET_MB:.0f}", ok=ok)
    smallest, largest = min(sizes), max(sizes)
    if smallest != largest:
        small = max(sizes[smallest]["first"]["peak_rss_mb"], sizes[smallest]["again"]["peak_rss_mb"])
        large = max(sizes[largest]["first"]["peak_rss_mb"], sizes[largest]["again"]["peak_rss_mb"])
        ok = abs(large / small - 1) <= FLAT_TOLERANCE
        ok_all &= ok
        figure(
            f"aaf_import_peak_rss_{largest}_vs_{smallest}",
            large,
            "MB",
            baseline=(f"aaf_import_peak_rss_{smallest}", small),
            target=f"ratio within 1 +- {FLAT_TOLERANCE}",
            ok=ok,
        )
    for size, found in sizes.items():
        first, again = found["first"], found["again"]
        ok = again["seconds"] <= first["seconds"] * REIMPORT_RATIO
        ok_all &= ok
        figure(
            f"aaf_reimport_seconds_{size}",
            again["seconds"],
            "s",
            baseline=(f"aaf_import_seconds_{size}", first["seconds"]),
            target="ratio <= 0.333",
            ok=ok,
        )
        writes = again["write_statements"] + again["rows_written"]
        ok = writes == 0
        ok_all &= ok
        figure(
            f"aaf_reimport_writes_{size}",
            writes,
            "writes",
            target="0",
            ok=ok,
            write_statements=again["write_statements"],
            rows_written=again["rows_written"],
            reported_writes=again["reported_writes"],
        )
    for size, found in sizes.items():
        first, forced = found["first"], found["forced"]
        writes = forced["write_statements"] + forced["rows_written"]
        ok = writes == 0
        ok_all &= ok
        figure(
            f"aaf_reread_forced_seconds_{size}",
            forced["seconds"],
            "s",
            baseline=(f"aaf_import_seconds_{size}", first["seconds"]),
            target="0 writes (every record compared again, no fingerprint)",
            ok=ok,
            writes=writes,
        )
    return ok_all


# -- the import process -------------------------------------------------------------------------------------


def child(args: list[str]) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args[0] == "setup":
        from datetime import date

        from cartable.directory.models import SchoolYear

        call_command("migrate", verbosity=0, interactive=False)
        SchoolYear.objects.update_or_create(
            name="2026-2027",
            defaults={"start": date(2026, 9, 1), "end": date(2027, 7, 4), "is_current": True},
        )
        print(json.dumps({"ok": True}))
        return 0

    from cartable.feeds.aaf_import import import_aaf

    writes = 0

    def count_writes(execute, statement, params, many, context):
        nonlocal writes
        if statement.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE", "COPY "}:
            writes += 1
        return execute(statement, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count_writes):
        found = import_aaf(Path(args[1]), force="--force" in args[2:])
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "peak_rss_mb": peak_kb / 1024,
                "write_statements": writes,
                "reported_writes": found.writes,
                "rejected": len(found.rejections),
                "counts": found.as_dict()["counts"],
                "identical_to": found.identical_to,
            }
        )
    )
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2:])
    url = os.environ.get("BENCH_FEEDS_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_FEEDS_REDIS_URL", "redis://127.0.0.1:6379/9")
    sizes = [int(s) for s in os.environ.get("BENCH_FEEDS_SIZES", "10000,100000").split(",") if s.strip()]
    feeds_dir = Path(os.environ.get("BENCH_FEEDS_DIR", DEFAULT_DIR))
    env = child_env(url, redis_url)
    results = {size: bench_size(size, url, env, feeds_dir) for size in sizes}
    return 0 if report(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
