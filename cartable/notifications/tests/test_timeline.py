"""publish, the timeline per person and per child, marking read, and who may touch which notification."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.notifications import access, actions, counts
from cartable.notifications.models import Event, Notification
from cartable.notifications.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def publish(world, *names, about=None, actor=None, title="essai"):
    return actions.publish(
        NOW,
        recipients=[world.person(name) for name in names],
        school=world.school_a,
        actor=world.person(actor) if actor else None,
        about=world.person(about) if about else None,
        data={"title": title},
        url="/annuaire/",
    )


def texts(user, child_id=None) -> list[str]:
    return [n.event.data["title"] for n in access.notifications_visible_to(user, child_id)]


def test_publish_gives_each_recipient_one_notification_but_not_the_author(world):
    event = publish(world, "alice", "bob", "tom", actor="tom")
    assert event is not None
    assert set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True)) == {
        world.person("alice").pk,
        world.person("bob").pk,
    }
    # Only the author: nothing is recorded.
    assert publish(world, "tom", actor="tom") is None
    assert Event.objects.count() == 1


def test_publish_accepts_ids_and_refuses_unknown_kinds(world):
    event = actions.publish(NOW, recipients=[world.person("alice").pk, world.person("alice")], data={})
    assert event is not None and event.notifications.count() == 1
    with pytest.raises(ValueError, match="unknown event kind"):
        actions.publish("nobody.knows", recipients=[world.person("alice")])


def test_publish_costs_the_same_queries_for_two_or_two_hundred_recipients(world):
    few = [world.person("alice"), world.person("bob")]
    many = few + [world.add_pupil(f"Eleve{n}", "Roy", world.class_6a) for n in range(200)]
    with CaptureQueriesContext(connection) as small:
        actions.publish(NOW, recipients=few, data={})
    with CaptureQueriesContext(connection) as large:
        actions.publish(NOW, recipients=many, data={})
    assert len(large) == len(small)
    assert Notification.objects.count() == 2 + 202


def test_each_person_sees_only_their_own(world):
    publish(world, "alice", title="pour alice")
    publish(world, "bob", title="pour bob")
    assert texts(world.alice) == ["pour alice"]
    assert texts(world.bob) == ["pour bob"]
    assert texts(world.tom) == []
    assert texts(world.root) == []


def test_guardian_sees_events_about_each_child_and_her_own(world):
    publish(world, "alice", about="alice", title="sur alice")
    publish(world, "leo", about="leo", title="sur leo")
    publish(world, "marie", about="alice", title="à marie sur alice")
    publish(world, "marie", title="à marie")
    # Addressed to Alice but not about her (e.g. a personal message): not shown to her guardians.
    publish(world, "alice", title="privé alice")
    alice, leo = world.person("alice").pk, world.person("leo").pk

    assert sorted(texts(world.marie)) == ["sur alice", "sur leo", "à marie", "à marie sur alice"]
    assert sorted(texts(world.marie, alice)) == ["sur alice", "à marie", "à marie sur alice"]
    assert sorted(texts(world.marie, leo)) == ["sur leo", "à marie"]
    # Marc is Alice's guardian only; Béatrice is Bob's.
    assert sorted(texts(world.marc)) == ["sur alice"]
    assert texts(world.marc, leo) == []
    assert texts(world.beatrice) == []


def test_an_event_reaching_guardian_and_child_is_shown_once(world):
    publish(world, "alice", "marie", about="alice", title="aux deux")
    entries = list(access.notifications_visible_to(world.marie))
    assert [n.recipient_id for n in entries] == [world.person("marie").pk]


def test_home_widget_shows_the_selected_childs_events(client, world):
    publish(world, "alice", about="alice", title="devoir d'Alice")
    publish(world, "leo", about="leo", title="devoir de Léo")
    world.login(client, "marie")
    body = client.get("/", {"enfant": world.person("alice").pk}).content.decode()
    assert "devoir d&#x27;Alice" in body and "devoir de Léo" not in body
    body = client.get("/", {"enfant": world.person("leo").pk}).content.decode()
    assert "devoir de Léo" in body and "devoir d&#x27;Alice" not in body


def test_home_widget_highlights_unread_and_updates_after_reading(client, world):
    event = publish(world, "alice", title="à lire")
    world.login(client, "alice")
    body = client.get("/").content.decode()
    assert "Nouvelle chose : à lire" in body and "timeline-entry unread" in body
    notification = Notification.objects.get(event=event)
    response = client.post(f"/notifications/{notification.pk}/lue", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    body = client.get("/").content.decode()
    assert "Nouvelle chose : à lire" in body and "timeline-entry unread" not in body


def test_header_shows_the_unread_count_and_follows_new_events(
    client, world, django_capture_on_commit_callbacks
):
    world.login(client, "alice")
    assert 'class="badge"' not in client.get("/me").content.decode()
    # The cached count is dropped once the publishing transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, "alice")
        publish(world, "alice")
    assert '<span class="badge">2<' in client.get("/me").content.decode()


def test_mark_read_is_for_the_recipient_only(client, world):
    event = publish(world, "alice", about="alice")
    notification = Notification.objects.get(event=event)
    for name in ("bob", "marie", "tom", "root"):
        world.login(client, name)
        assert client.post(f"/notifications/{notification.pk}/lue").status_code == 404, name
        assert client.get(f"/notifications/{notification.pk}/ouvrir").status_code == 404, name
    notification.refresh_from_db()
    assert notification.read_at is None
    world.login(client, "alice")
    assert client.post(f"/notifications/{notification.pk}/lue").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_with_htmx_answers_the_entry(client, world):
    event = publish(world, "alice", title="htmx")
    notification = Notification.objects.get(event=event)
    world.login(client, "alice")
    response = client.post(f"/notifications/{notification.pk}/lue", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<li") and "Nouvelle chose : htmx" in body and "unread" not in body


def test_open_marks_read_and_leads_to_the_event(client, world):
    event = publish(world, "alice")
    notification = Notification.objects.get(event=event)
    world.login(client, "alice")
    response = client.get(f"/notifications/{notification.pk}/ouvrir")
    assert response.status_code == 302 and response["Location"] == "/annuaire/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_touches_only_mine(client, world):
    publish(world, "alice")
    publish(world, "alice", "bob")
    world.login(client, "alice")
    response = client.post("/notifications/tout-lu", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=world.person("alice"), read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.person("bob"), read_at__isnull=True).count() == 1


def test_notifications_page_is_paginated(client, world):
    for n in range(30):
        publish(world, "alice", title=f"n°{n}")
    world.login(client, "alice")
    first = client.get("/notifications/").content.decode()
    assert "n°29" in first and "n°4<" not in first and "Page 1 sur 2" in first
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert "n°4<" in second and "n°29" not in second


def test_notifications_page_child_filter_refuses_other_children(client, world):
    world.login(client, "marie")
    assert client.get("/notifications/", {"enfant": world.person("alice").pk}).status_code == 200
    assert client.get("/notifications/", {"enfant": world.person("bob").pk}).status_code == 404
    assert client.get("/notifications/", {"enfant": "x"}).status_code == 404


def test_page_and_widget_read_in_the_readers_language(client, world):
    from django.utils.translation import gettext_lazy

    from cartable.notifications import kinds
    from cartable.notifications.kinds import EventKind

    kinds.register_kind(
        EventKind(code="tests.lang", label="Langue", text=lambda data: str(gettext_lazy("Préférences")))
    )
    try:
        actions.publish("tests.lang", recipients=[world.person("alice")], data={})
        world.alice.language = "en"
        world.alice.save(update_fields=["language"])
        world.login(client, "alice")
        client.cookies["django_language"] = "en"
        body = client.get("/notifications/", headers={"Accept-Language": "en"}).content.decode()
        assert "Preferences" in body
    finally:
        kinds.KINDS.pop("tests.lang", None)


def notification_queries(client, url, params=None) -> int:
    """Queries of a page that read the notifications (other apps' widgets have their own tests)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return sum('"notifications_' in query["sql"] for query in queries.captured_queries)


def forget(world) -> None:
    """Drop the cached counts and timelines of Marie's family (never clear the whole shared cache)."""
    counts.changed([world.person(name).pk for name in ("marie", "alice", "leo")])


def test_query_counts_are_pinned_and_do_not_grow(client, world):
    for n in range(3):
        publish(world, "marie", about="alice", title=f"a{n}")
        publish(world, "leo", about="leo", title=f"l{n}")
    world.login(client, "marie")
    client.get("/")
    forget(world)
    # Nothing cached: the unread count and the timeline, one query each.
    assert notification_queries(client, "/") == 2
    # Cached until Marie's or her children's notifications change.
    assert notification_queries(client, "/") == 0
    # The page: the count (cached now), the page's count and its entries.
    assert notification_queries(client, "/notifications/") == 2

    for n in range(40):
        publish(world, "marie", about="alice", title=f"b{n}")
        publish(world, "alice", about="alice", title=f"c{n}")
        publish(world, "leo", about="leo", title=f"d{n}")
    forget(world)
    assert notification_queries(client, "/") == 2
    assert notification_queries(client, "/notifications/") == 2
    assert notification_queries(client, "/notifications/", {"page": 2}) == 2
    assert notification_queries(client, "/notifications/", {"enfant": world.person("leo").pk}) == 2


def test_marking_read_in_place_updates_the_header_and_home_counts(client, world):
    first = Notification.objects.get(event=publish(world, "alice", title="un"))
    second = Notification.objects.get(event=publish(world, "alice", title="deux"))
    world.login(client, "alice")
    home = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}

    body = client.post(f"/notifications/{first.pk}/lue", headers=home).content.decode()
    assert 'id="notifications-link" hx-swap-oob="true"' in body
    assert 'id="timeline-unread" hx-swap-oob="true"><span class="badge">1<' in body

    body = client.post(f"/notifications/{second.pk}/lue", headers=home).content.decode()
    assert 'class="badge"' not in body and 'id="timeline-unread" hx-swap-oob="true"></span>' in body

    # Elsewhere than the home page there is no widget to update: only the header follows.
    third = Notification.objects.get(event=publish(world, "alice", title="trois"))
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "http://testserver/notifications/"}
    body = client.post(f"/notifications/{third.pk}/lue", headers=elsewhere).content.decode()
    assert 'id="notifications-link" hx-swap-oob="true"' in body and "timeline-unread" not in body
