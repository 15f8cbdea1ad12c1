"""`python -m bench.albums`: the photo albums' figures, one JSON line each on stdout (bench.run.figure).

The album page of a class as a guardian sees it: 200 photos, each naming pupils of the class, some of whom
have no image-rights consent (the page checks every photo's consent in the same query as the photos), against
the same page of an album of 10 photos measured in the same run. Same number of queries; p95 <= 100 ms (the
view timed in-process with Django's test client, many requests each, in turns).

Environment: BENCH_ALBUMS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cartable_bench_albums, a
database of its own), BENCH_ALBUMS_REDIS_URL (default redis://127.0.0.1:6379/11), BENCH_ALBUMS_REQUESTS (200
per page). The dataset is the demo pair of schools. Progress goes to stderr; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time

from bench import dataset
from bench.dataset import log
from bench.messaging import percentile
from bench.run import figure, settings_env

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cartable_bench_albums"
TARGET_MS = 100
BIG, SMALL = 200, 10


def the_class():
    """The first class with pupils, its pupils and one of their guardians with an account."""
    from cartable.access.policy import current_enrolments
    from cartable.directory.models import Guardianship, Person

    enrolment = current_enrolments().filter(group__kind="class").order_by("group_id").first()
    if enrolment is None:
        raise RuntimeError("no class in the dataset")
    group = enrolment.group
    pupils = list(current_enrolments().filter(group=group).values_list("student_id", flat=True))
    guardianship = (
        Guardianship.objects.filter(student_id__in=pupils, legal_guardian=True, relative__user__isnull=False)
        .order_by("pk")
        .first()
    )
    guardian = Person.objects.select_related("user").get(pk=guardianship.relative_id)
    return group, pupils, guardian


def make_album(group, pupils: list[int], photos: int, title: str):
    """An album of `photos` photos sharing one clean original and thumbnail (the page reads rows, not files);
    each photo names two pupils of the class; one pupil in five has no consent."""
    from django.core.files.base import ContentFile
    from PIL import Image

    from cartable.albums.models import Album, Photo, PhotoTag
    from cartable.feeds.models import ImageRightsConsent
    from cartable.files import actions as files
    from cartable.files import scanner

    Album.objects.filter(title=title).delete()
    album = Album.objects.create(school_id=group.school_id, group=group, title=title)
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (46, 125, 50)).save(out, "JPEG")
    stored = files.store_upload(
        ContentFile(out.getvalue(), name="banc.jpg"), owner=None, school_id=album.school_id
    )
    files.record_verdict(stored.pk, scanner.Verdict(clean=True))
    rows = Photo.objects.bulk_create(
        Photo(album=album, original=stored, thumbnail=stored, web=stored, name=f"photo-{n}.jpg")
        for n in range(photos)
    )
    PhotoTag.objects.bulk_create(
        PhotoTag(photo=photo, pupil_id=pupil_id)
        for n, photo in enumerate(rows)
        for pupil_id in {pupils[n % len(pupils)], pupils[(n + 1) % len(pupils)]}
    )
    for n, pupil_id in enumerate(pupils):
        ImageRightsConsent.objects.update_or_create(person_id=pupil_id, defaults={"granted": n % 5 != 0})
    return album


def logged_in_client(user):
    """A test client as after a real login, the current charter accepted (else every page leads to it)."""
    from django.test import Client

    from cartable.accounts.actions import current_charter
    from cartable.accounts.middleware import LAST_SEEN_KEY, SESSION_GENERATION_KEY
    from cartable.accounts.models import CharterAcceptance

    charter = current_charter()
    if charter is not None:
        CharterAcceptance.objects.get_or_create(user=user, charter=charter)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_GENERATION_KEY] = user.session_generation
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    return client


def page_queries(client, url: str) -> int:
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    return len(queries)


def bench_album_page(requests: int) -> None:
    from django.db import connection

    group, pupils, guardian = the_class()
    big = make_album(group, pupils, BIG, "Banc d’essai : 200 photos")
    small = make_album(group, pupils, SMALL, "Banc d’essai : 10 photos")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE albums_photo, albums_phototag, feeds_imagerightsconsent")
    client = logged_in_client(guardian.user)
    urls = [f"/albums/{small.pk}/", f"/albums/{big.pk}/"]
    for url in urls:
        for _ in range(5):
            if client.get(url).status_code != 200:
                raise RuntimeError(f"{url} answered for {guardian.user.username} otherwise than 200")
    small_queries, big_queries = (page_queries(client, url) for url in urls)
    timings: list[list[float]] = [[], []]
    for _ in range(requests):
        for url, found in zip(urls, timings, strict=True):
            started = time.perf_counter()
            client.get(url)
            found.append((time.perf_counter() - started) * 1000)
    small_times, big_times = timings
    shown = client.get(urls[1]).content.decode().count('class="photo-link"')
    figure(
        "album_page_queries_200_photos",
        big_queries,
        "queries",
        baseline=("album_page_queries_10_photos", small_queries),
        target="same",
        ok=big_queries == small_queries,
    )
    big_p95 = percentile(big_times, 0.95)
    figure(
        "album_page_p95_ms_200_photos",
        big_p95,
        "ms",
        baseline=("album_page_p95_ms_10_photos", percentile(small_times, 0.95)),
        target=f"<= {TARGET_MS}",
        ok=big_p95 <= TARGET_MS,
        p50_ms=round(statistics.median(big_times), 2),
        photos_shown_to_the_guardian=shown,
        requests=requests,
        load_average=round(os.getloadavg()[0], 2),
    )


def main() -> int:
    started = time.monotonic()
    database_url = os.environ.get("BENCH_ALBUMS_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_ALBUMS_REDIS_URL", "redis://127.0.0.1:6379/11")
    requests = int(os.environ.get("BENCH_ALBUMS_REQUESTS", "200"))
    env = settings_env(database_url, redis_url) | {
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "CACHE_KEY_PREFIX": "cartable-bench-albums",
    }
    seeded = dataset.prepare_database(database_url, 2, 25)
    dataset.setup_django(env)
    dataset.migrate_and_seed(database_url, 2, 25, seeded)
    bench_album_page(requests)
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
