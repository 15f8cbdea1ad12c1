"""The iCalendar feed: RFC 5545 in Europe/Paris, cancellations, secret addresses and their revocation."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from cartable.timetable.models import CalendarToken
from cartable.timetable.tests.helpers import MONDAY

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=PARIS)


def new_token(client, world, name) -> str:
    world.login(client, name)
    answer = client.post(reverse("timetable:token_create"), {"label": "Téléphone"})
    assert answer.status_code == 302
    page = client.get(reverse("portal:preferences")).content.decode()
    marker = "/emploi-du-temps/ical/"
    start = page.index(marker) + len(marker)
    token = page[start : page.index(".ics", start)]
    # Shown once only.
    assert marker not in client.get(reverse("portal:preferences")).content.decode()
    return token


def feed(client, token):
    client.logout()
    return client.get(reverse("timetable:feed", args=[token]))


def events(answer) -> list:
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(answer.content).walk("VEVENT"))


@time_machine.travel(NOW, tick=False)
def test_pupil_feed_parses_back_in_paris_time_with_the_cancellation(client, world, week):
    token = new_token(client, world, "alice")
    answer = feed(client, token)
    cal = Calendar.from_ical(answer.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    found = events(answer)
    maths = [e for e in found if str(e["SUMMARY"]) == "Mathématiques"]
    on_monday = next(e for e in maths if e.decoded("DTSTART").date() == MONDAY)
    start = on_monday.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Paris"
    assert (start.hour, start.minute) == (8, 0)
    assert on_monday.decoded("DTSTART").utcoffset().total_seconds() == 3600  # winter time
    assert str(on_monday["STATUS"]) == "CANCELLED"
    assert str(on_monday["UID"]) == f"course-{week['maths'].pk}-20261116@cartable"
    assert "Sortie au musée" in str(on_monday["DESCRIPTION"])
    others = [e for e in maths if e is not on_monday]
    assert others and all(str(e["STATUS"]) == "CONFIRMED" for e in others)
    assert str(others[0]["LOCATION"]) == "Salle 101"  # a room code reads as a room in calendar apps
    assert not any("5B" in str(e["SUMMARY"]) or "6C" in str(e["SUMMARY"]) for e in found)
    # UIDs are unique and stable from one download to the next.
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids))
    assert uids == [str(e["UID"]) for e in events(feed(client, token))]


@time_machine.travel(NOW, tick=False)
def test_guardian_feed_has_each_childs_timetable(client, world, week):
    found = events(feed(client, new_token(client, world, "marie")))
    summaries = {str(e["SUMMARY"]) for e in found}
    assert "Mathématiques (Alice)" in summaries and "Maths 6C (Léo)" in summaries
    assert not any("Français 5B" in s for s in summaries)


@time_machine.travel(NOW, tick=False)
def test_teacher_feed(client, world, week):
    found = events(feed(client, new_token(client, world, "tom")))
    assert {str(e["SUMMARY"]) for e in found} == {"Mathématiques", "Anglais"}


@time_machine.travel(NOW, tick=False)
def test_a_token_gives_only_its_owners_data_and_no_session(client, world, week):
    token = new_token(client, world, "bob")
    answer = feed(client, token)
    assert "sessionid" not in answer.cookies and "cartable_session" not in answer.cookies
    # Bob's token serves Bob's timetable, whoever holds it: not the logged-in user's.
    world.login(client, "tom")
    found = events(client.get(reverse("timetable:feed", args=[token])))
    assert "Anglais" in {str(e["SUMMARY"]) for e in found}
    # The token opens no page.
    client.logout()
    assert client.get(f"{reverse('timetable:week')}?token={token}").status_code == 302


@time_machine.travel(NOW, tick=False)
def test_revoked_or_unknown_token_is_a_404(client, world, week):
    token = new_token(client, world, "alice")
    assert feed(client, token).status_code == 200
    row = CalendarToken.objects.get(user=world.alice)
    assert row.token_hash != token and token not in row.token_hash  # only the hash is stored
    assert len(token) >= 43  # 32 random bytes
    # Another user cannot revoke it.
    world.login(client, "bob")
    assert client.post(reverse("timetable:token_revoke", args=[row.pk])).status_code == 404
    assert feed(client, token).status_code == 200
    world.login(client, "alice")
    assert client.post(reverse("timetable:token_revoke", args=[row.pk])).status_code == 302
    assert feed(client, token).status_code == 404
    assert feed(client, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_blocked_account_feed_is_a_404(client, world, week):
    token = new_token(client, world, "alice")
    world.alice.blocked_at = NOW
    world.alice.save()
    assert feed(client, token).status_code == 404


def test_tokens_are_listed_in_the_preferences(client, world):
    world.login(client, "alice")
    client.post(reverse("timetable:token_create"), {"label": "Tablette"})
    client.get(reverse("portal:preferences"))
    page = client.get(reverse("portal:preferences")).content.decode()
    assert "Tablette" in page and "Révoquer" in page


def test_creating_a_token_needs_a_post_and_a_login(client, world):
    assert client.post(reverse("timetable:token_create")).status_code == 302
    assert not CalendarToken.objects.exists()
    world.login(client, "alice")
    assert client.get(reverse("timetable:token_create")).status_code == 405


@time_machine.travel(NOW, tick=False)
def test_feed_query_count_does_not_grow_with_children(client, world, week, django_assert_max_num_queries):
    from cartable.directory import actions as directory

    token = new_token(client, world, "marie")
    client.logout()
    url = reverse("timetable:feed", args=[token])
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    before_count = len(before)
    for n in range(3):
        directory.link_guardian(
            world.person("marie"), world.add_pupil(f"Enfant{n}", "Martin", world.class_5b)
        )
    client.get(url)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == before_count == 6


def test_at_most_ten_addresses(client, world):
    world.login(client, "alice")
    for _ in range(10):
        client.post(reverse("timetable:token_create"))
    answer = client.post(reverse("timetable:token_create"), follow=True)
    assert "révoquez-en une d&#x27;abord" in answer.content.decode()
    assert CalendarToken.objects.filter(user=world.alice).count() == 10
