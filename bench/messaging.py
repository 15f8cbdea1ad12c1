"""`python -m bench.messaging`: the messaging's figures, one JSON line each on stdout (bench.run.figure).

1. One message from the principal to every guardian of a collège (about 2,000 people): server time of the
   whole send (rules checked for every recipient, one message, one bulk insert of recipient rows, the timeline
   event, the commit) — target <= 300 ms (median of a few sends).
2. The inbox page of a guardian holding 10,000 messages against one holding 10: same number of queries, p95
   within 20% (the view timed in-process with Django's test client, many requests each).

Environment: BENCH_MESSAGING_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cartable_bench_messaging,
a database of its own), BENCH_MESSAGING_REDIS_URL (default redis://127.0.0.1:6379/11),
BENCH_MESSAGING_SCHOOLS (4: two pairs, full-size collèges), BENCH_MESSAGING_PUPILS_PER_CLASS (40, about 2,000
guardians per collège), BENCH_MESSAGING_REQUESTS (200 per inbox). Progress goes to stderr; only 127.0.0.1
is ever contacted.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from bench import dataset
from bench.dataset import log
from bench.run import figure, settings_env

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cartable_bench_messaging"
SEND_TARGET_MS = 300
SENDS = 7
BIG_INBOX = 10_000
SMALL_INBOX = 10


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def empty_mailboxes() -> None:
    """Messages of a previous run go: each run starts from the same mailboxes."""
    from django.db import connection

    from cartable.messaging.models import Message, MessageAttachment, Recipient, Report

    tables = [model._meta.db_table for model in (Report, MessageAttachment, Recipient, Message)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")


def the_college():
    """The first collège, its principal and every legal guardian of its pupils."""
    from cartable.access.policy import current_enrolments
    from cartable.directory.models import Function, Guardianship, Membership, Profile, School, SchoolKind

    college = School.objects.filter(kind=SchoolKind.SECONDARY).order_by("pk").first()
    if college is None:
        raise RuntimeError("no collège in the dataset")
    principal = next(
        m.person
        for m in Membership.objects.filter(school=college, profile=Profile.PERSONNEL)
        .select_related("person__user")
        .order_by("pk")
        if Function.DIRECTION in m.functions
    )
    pupils = current_enrolments().filter(group__school=college).values("student_id")
    guardians = list(
        Guardianship.objects.filter(student_id__in=pupils, legal_guardian=True)
        .values_list("relative_id", flat=True)
        .distinct()
    )
    return college, principal, guardians


def bench_send(college, principal, guardians: list[int]) -> None:
    from django.db import transaction

    from cartable.access.policy import forget_viewer
    from cartable.messaging import actions

    user = principal.user
    draft = actions.Draft(
        groups=[f"parents-school:{college.pk}"],
        subject="Fermeture exceptionnelle du collège vendredi",
        body="Madame, Monsieur,\n\nEn raison d’une coupure d’eau, le collège sera fermé vendredi.\n\n"
        "La direction",
    )
    timings = []
    count = 0
    cpu = []
    for attempt in range(SENDS + 1):
        forget_viewer(user)  # each send is a new request: the principal's facts come from the shared cache
        started, started_cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            message = actions.send_message(user, draft)
        elapsed = (time.perf_counter() - started) * 1000
        count = message.recipient_count
        if attempt:  # the first send warms the caches (rules, facts), as the first request of a process would
            timings.append(elapsed)
            cpu.append((time.process_time() - started_cpu) * 1000)
    median = statistics.median(timings)
    figure(
        "message_to_all_guardians_ms",
        median,
        "ms",
        target=f"<= {SEND_TARGET_MS}",
        ok=median <= SEND_TARGET_MS and count >= 0.9 * len(guardians),
        recipients=count,
        guardians=len(guardians),
        p95_ms=round(percentile(timings, 0.95), 2),
        # This process's own CPU time: the rest is the database's work and waiting for a busy machine.
        cpu_ms=round(statistics.median(cpu), 2),
        sends=len(timings),
        load_average=round(os.getloadavg()[0], 2),
    )


def fill_inbox(person_id: int, sender_id: int, school_id: int, count: int) -> None:
    """`count` messages to one person, written in bulk (what years of school life leave in a mailbox)."""
    from datetime import timedelta

    from django.utils import timezone

    from cartable.messaging.models import Message, Recipient
    from cartable.messaging.text import folded

    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        messages = Message.objects.bulk_create(
            [
                Message(
                    sender_id=sender_id,
                    school_id=school_id,
                    subject=f"Information n° {n}",
                    body=f"<p>Message n° {n} de l’année.</p>",
                    search_text=folded(f"Information n° {n} Message n° {n} de l’année"),
                    sent_at=now - timedelta(minutes=n),
                    recipient_count=1,
                )
                for n in range(start, min(count, start + batch))
            ]
        )
        Recipient.objects.bulk_create(
            [Recipient(message=m, person_id=person_id, sent_at=m.sent_at) for m in messages]
        )


def inbox_client(username: str):
    """A test client logged in as `username` as after a real login, its inbox already opened (warm)."""
    from django.test import Client

    from cartable.accounts.middleware import LAST_SEEN_KEY, SESSION_GENERATION_KEY
    from cartable.accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session  # the session knows the account's generation, as after a real login
    session[SESSION_GENERATION_KEY] = user.session_generation
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    for _ in range(10):
        response = client.get("/messagerie/")
        if response.status_code != 200:
            raise RuntimeError(f"inbox of {username} answered {response.status_code}")
    return client


def inbox_queries(client) -> int:
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get("/messagerie/")
    return len(queries)


def time_inboxes(clients: list, requests: int) -> list[list[float]]:
    """Each client's inbox timed `requests` times, in turns: both meet the same load of the machine."""
    timings: list[list[float]] = [[] for _ in clients]
    for _ in range(requests):
        for client, found in zip(clients, timings, strict=True):
            started = time.perf_counter()
            client.get("/messagerie/")
            found.append((time.perf_counter() - started) * 1000)
    return timings


def bench_inbox(college, guardians: list[int], requests: int) -> None:
    from django.db import connection

    from cartable.accounts.actions import current_charter
    from cartable.accounts.models import CharterAcceptance
    from cartable.directory.models import Person, Profile
    from cartable.messaging.access import forget_summaries

    teacher = Person.objects.filter(memberships__school=college, memberships__profile=Profile.TEACHER).first()
    small, big = Person.objects.filter(pk__in=guardians[:2]).select_related("user").order_by("pk")
    forget_summaries([small.pk, big.pk])  # a previous run's summaries
    fill_inbox(small.pk, teacher.pk, college.pk, SMALL_INBOX)
    fill_inbox(big.pk, teacher.pk, college.pk, BIG_INBOX)
    charter = current_charter()
    for person in (small, big):
        if charter is not None:
            CharterAcceptance.objects.get_or_create(user=person.user, charter=charter)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_message, messaging_recipient")
    clients = [inbox_client(small.user.username), inbox_client(big.user.username)]
    small_queries, big_queries = (inbox_queries(client) for client in clients)
    small_times, big_times = time_inboxes(clients, requests)
    small_p95, big_p95 = percentile(small_times, 0.95), percentile(big_times, 0.95)
    figure(
        "inbox_queries_10000_messages",
        big_queries,
        "queries",
        baseline=("inbox_queries_10_messages", small_queries),
        target="same",
        ok=big_queries == small_queries,
    )
    figure(
        "inbox_p95_ms_10000_messages",
        big_p95,
        "ms",
        baseline=("inbox_p95_ms_10_messages", small_p95),
        target="ratio <= 1.2",
        ok=big_p95 <= 1.2 * small_p95,
        p50_ms=round(statistics.median(big_times), 2),
        baseline_p50_ms=round(statistics.median(small_times), 2),
        requests=requests,
        load_average=round(os.getloadavg()[0], 2),
    )


def main() -> int:
    started = time.monotonic()
    database_url = os.environ.get("BENCH_MESSAGING_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_MESSAGING_REDIS_URL", "redis://127.0.0.1:6379/11")
    schools = int(os.environ.get("BENCH_MESSAGING_SCHOOLS", "4"))
    pupils = int(os.environ.get("BENCH_MESSAGING_PUPILS_PER_CLASS", "40"))
    requests = int(os.environ.get("BENCH_MESSAGING_REQUESTS", "200"))
    env = settings_env(database_url, redis_url) | {
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "CACHE_KEY_PREFIX": "cartable-bench-messaging",
    }
    seeded = dataset.prepare_database(database_url, schools, pupils)
    dataset.setup_django(env)
    dataset.migrate_and_seed(database_url, schools, pupils, seeded)
    empty_mailboxes()
    college, principal, guardians = the_college()
    log(f"{college.name}: {len(guardians)} guardians")
    bench_send(college, principal, guardians)
    empty_mailboxes()
    bench_inbox(college, guardians, requests)
    empty_mailboxes()
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
