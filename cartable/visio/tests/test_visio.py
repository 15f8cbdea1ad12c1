"""Virtual classes in the permission world, against a BigBlueButton API server on 127.0.0.1: who schedules,
who sees, who joins (and as what), who gets 404, forged requests, the traces of joins (rule C8), the
purge (rule C5), the feature off without a server, and what the pages cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cartable.directory import actions as directory
from cartable.lib.errors import Refused
from cartable.lib.lifecycle import run_nightly
from cartable.portal.launcher import allowed_apps
from cartable.visio import access, actions, lifecycle
from cartable.visio.models import Role, VirtualClass, VirtualClassJoin
from cartable.visio.tests.helpers import follow_to_server, scheduled

pytestmark = pytest.mark.django_db

SEE = {"tom", "alice", "bob", "marie", "marc", "beatrice"}


def data(world, **changes) -> actions.VirtualClassInput:
    start = timezone.now() + dt.timedelta(hours=1)
    fields = {
        "group_id": world.class_6a.pk,
        "title": "Révisions du contrôle",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
    }
    return actions.VirtualClassInput(**{**fields, **changes})


# --- Who schedules -----------------------------------------------------------------------------------------


def test_a_teacher_schedules_for_a_class_he_teaches_only(world, bbb_server):
    created = actions.schedule(world.fresh_user("tom"), data(world, recording_allowed=True))
    assert created.group == world.class_6a and created.teacher == world.person("tom")
    assert created.recording_allowed and created.school == world.school_a
    with pytest.raises(Refused) as refused:
        actions.schedule(world.fresh_user("tom"), data(world, group_id=world.class_5b.pk))
    assert refused.value.field == "group"
    for name in ("tess", "xavier", "alice", "marie", "paul", "vera", "ada", "root"):
        with pytest.raises(Refused):
            actions.schedule(world.fresh_user(name), data(world))
    assert VirtualClass.objects.count() == 1


def test_times_are_checked(world, bbb_server):
    start = timezone.now() + dt.timedelta(hours=1)
    for ends_at in (start, start - dt.timedelta(minutes=5), start + dt.timedelta(hours=5)):
        with pytest.raises(Refused) as refused:
            actions.schedule(world.fresh_user("tom"), data(world, starts_at=start, ends_at=ends_at))
        assert refused.value.field == "ends_at"
    past = timezone.now() - dt.timedelta(hours=3)
    with pytest.raises(Refused):
        actions.schedule(
            world.fresh_user("tom"), data(world, starts_at=past, ends_at=past + dt.timedelta(hours=1))
        )


def test_the_form_schedules_and_other_people_get_404(world, as_user, bbb_server):
    url = reverse("visio:new")
    tom = as_user("tom")
    assert tom.get(url).status_code == 200
    response = tom.post(
        url,
        {
            "title": "Révisions",
            "group": world.class_6a.pk,
            "day": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "start": "10:00",
            "end": "11:00",
        },
    )
    created = VirtualClass.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visio:detail", args=[created.pk])
    # Another teacher's class posted by hand: refused beside the field, nothing written.
    page = tom.post(
        url, {"title": "X", "group": world.class_5b.pk, "day": "2026-12-10", "start": "10:00", "end": "11:00"}
    )
    assert page.status_code == 200 and VirtualClass.objects.count() == 1
    for name in ("alice", "marie", "paul", "vera"):
        assert as_user(name).get(url).status_code == 404
        assert as_user(name).post(url, {"title": "X", "group": world.class_6a.pk}).status_code == 404
    assert VirtualClass.objects.count() == 1


# --- Who sees ----------------------------------------------------------------------------------------------


def test_the_class_its_pupils_and_their_guardians_see_it_nobody_else(world, as_user):
    virtual_class = scheduled(world)
    url = reverse("visio:detail", args=[virtual_class.pk])
    seen = {name for name in world.users if as_user(name).get(url).status_code == 200}
    assert seen == SEE
    assert {
        name
        for name in world.users
        if access.classes_visible_to(world.fresh_user(name)).filter(pk=virtual_class.pk)
    } == SEE
    assert as_user("alice").get(reverse("visio:detail", args=["9" * 30])).status_code == 404


# --- Who joins ---------------------------------------------------------------------------------------------


def join(client, virtual_class):
    return client.post(reverse("visio:join", args=[virtual_class.pk]))


def test_the_teacher_opens_then_pupils_join_as_participants(world, as_user, bbb_server):
    virtual_class = scheduled(world)
    alice = as_user("alice")
    # Before the teacher opened it: not running, the pupil is told so, nothing traced.
    early = join(alice, virtual_class)
    assert early.status_code == 302 and early["Location"] == reverse("visio:detail", args=[virtual_class.pk])
    assert "pas encore ouvert" in alice.get(early["Location"]).content.decode()
    assert not VirtualClassJoin.objects.exists()

    opened = join(as_user("tom"), virtual_class)
    assert opened.status_code == 302 and opened["Location"].startswith(bbb_server.url + "api/join?")
    assert follow_to_server(opened["Location"]) == 302
    joined = join(alice, virtual_class)
    assert joined["Location"].startswith(bbb_server.url + "api/join?")
    assert follow_to_server(joined["Location"]) == 302
    meeting = bbb_server.meetings[virtual_class.meeting_id]
    assert meeting.attendees == [("Tom LEROY", "MODERATOR"), ("Alice MARTIN", "VIEWER")]
    assert all(call.checksum_ok for call in bbb_server.calls)
    assert list(VirtualClassJoin.objects.order_by("pk").values_list("person__first_name", "role")) == [
        ("Tom", Role.MODERATOR),
        ("Alice", Role.ATTENDEE),
    ]
    virtual_class.refresh_from_db()
    assert virtual_class.opened_at is not None
    # The teacher's page counts who is in.
    page = as_user("tom").get(reverse("visio:detail", args=[virtual_class.pk])).content.decode()
    assert "En cours : 2 participants." in page
    assert (
        "form-action 'self' http://127.0.0.1:"
        in as_user("tom").get(reverse("visio:detail", args=[virtual_class.pk]))["Content-Security-Policy"]
    )


def test_guardians_other_pupils_and_staff_do_not_join(world, as_user, bbb_server):
    virtual_class = scheduled(world)
    join(as_user("tom"), virtual_class)
    for name in (
        "marie",
        "marc",
        "beatrice",
        "carl",
        "gino",
        "tess",
        "paul",
        "vera",
        "zoe",
        "xavier",
        "root",
    ):
        assert join(as_user(name), virtual_class).status_code == 404, name
    assert list(VirtualClassJoin.objects.values_list("role", flat=True)) == [Role.MODERATOR]
    page = as_user("marie").get(reverse("visio:detail", args=[virtual_class.pk])).content.decode()
    assert "Les parents ne rejoignent pas" in page and "Rejoindre" not in page
    # Anonymous: to the login page. A GET does not join.
    assert join(Client(), virtual_class).status_code == 302
    assert as_user("alice").get(reverse("visio:join", args=[virtual_class.pk])).status_code == 405


def test_a_forged_post_without_the_csrf_token_is_refused(world, bbb_server):
    virtual_class = scheduled(world)
    client = world.login(Client(enforce_csrf_checks=True), "tom")
    assert client.post(reverse("visio:join", args=[virtual_class.pk])).status_code == 403
    assert client.post(reverse("visio:cancel", args=[virtual_class.pk])).status_code == 403
    assert VirtualClass.objects.filter(pk=virtual_class.pk).exists() and not bbb_server.calls


def test_a_pupil_joins_only_while_it_is_open(world, as_user, bbb_server):
    later = scheduled(world, starts_in=60)
    alice = as_user("alice")
    response = join(alice, later)
    assert "Cette classe virtuelle ouvre le" in alice.get(response["Location"]).content.decode()
    assert "Rejoindre" not in alice.get(reverse("visio:detail", args=[later.pk])).content.decode()
    soon = scheduled(world, starts_in=8)  # within BBB_OPEN_MINUTES_BEFORE (10)
    follow_to_server(join(as_user("tom"), soon)["Location"])  # the teacher is in: it runs
    assert join(alice, soon)["Location"].startswith(bbb_server.url)
    over = scheduled(world, starts_in=-120)
    assert "terminée" in alice.get(join(alice, over)["Location"]).content.decode()
    assert VirtualClassJoin.objects.filter(person=world.person("alice")).count() == 1


def test_the_teacher_ends_it_for_everyone(world, as_user, bbb_server):
    virtual_class = scheduled(world)
    tom = as_user("tom")
    join(tom, virtual_class)
    assert as_user("alice").post(reverse("visio:end", args=[virtual_class.pk])).status_code == 404
    assert tom.post(reverse("visio:end", args=[virtual_class.pk])).status_code == 302
    assert virtual_class.meeting_id not in bbb_server.meetings
    virtual_class.refresh_from_db()
    assert virtual_class.ended_at is not None
    alice = as_user("alice")
    assert "terminée" in alice.get(join(alice, virtual_class)["Location"]).content.decode()
    assert [c.name for c in bbb_server.calls] == ["create", "end"]


def test_the_teacher_cancels_it_and_nobody_else_can(world, as_user, bbb_server):
    virtual_class = scheduled(world)
    for name in ("alice", "marie", "tess", "paul"):
        assert as_user(name).post(reverse("visio:cancel", args=[virtual_class.pk])).status_code == 404
    assert as_user("tom").post(reverse("visio:cancel", args=[virtual_class.pk])).status_code == 302
    assert not VirtualClass.objects.exists()


def test_a_server_that_refuses_is_said_and_nothing_is_traced(world, as_user, bbb_server, settings):
    virtual_class = scheduled(world)
    settings.BBB_SECRET = "a-secret-the-server-does-not-know"
    tom = as_user("tom")
    response = join(tom, virtual_class)
    assert "ne répond pas" in tom.get(response["Location"]).content.decode()
    assert not VirtualClassJoin.objects.exists()


# --- Without a server --------------------------------------------------------------------------------------


def test_without_a_server_the_tile_is_hidden_and_the_pages_say_so(world, as_user, settings):
    settings.BBB_URL = ""
    settings.BBB_SECRET = ""
    virtual_class = scheduled(world)
    from cartable.access.policy import viewer_for
    from cartable.portal.registry import registry
    from cartable.portal.switches import switched_off

    tom = world.fresh_user("tom")
    assert "visio" not in {
        app.code
        for app in allowed_apps(registry, viewer_for(tom), switched_off(viewer_for(tom)))
        if not app.visible or app.visible(tom)
    }
    for name in ("tom", "alice", "marie"):
        body = as_user(name).get(reverse("visio:index")).content.decode()
        assert "n’est pas configuré" in body and "Révisions" in body
        assert (
            "n’est pas configuré"
            in as_user(name).get(reverse("visio:detail", args=[virtual_class.pk])).content.decode()
        )
    assert "n’est pas configuré" in as_user("tom").get(reverse("visio:new")).content.decode()
    response = join(as_user("alice"), virtual_class)
    assert response.status_code == 302 and not VirtualClassJoin.objects.exists()


def test_with_a_server_the_tile_shows_for_teachers_pupils_and_guardians(world, as_user, bbb_server):
    for name in ("tom", "alice", "marie"):
        assert 'href="/classes-virtuelles/"' in as_user(name).get("/").content.decode(), name
    assert 'href="/classes-virtuelles/"' not in as_user("vera").get("/").content.decode()


# --- Traces and lifecycle ----------------------------------------------------------------------------------


def test_the_purge_forgets_the_joins_and_keeps_the_class(world, as_user, bbb_server):
    virtual_class = scheduled(world)
    follow_to_server(join(as_user("tom"), virtual_class)["Location"])
    join(as_user("alice"), virtual_class)
    join(as_user("bob"), virtual_class)
    alice = world.person("alice")
    lifecycle.forget(lifecycle_people([alice.pk]))
    assert list(VirtualClassJoin.objects.values_list("person__first_name", flat=True).order_by("pk")) == [
        "Tom",
        "Bob",
    ]
    left = timezone.now()
    directory.deactivate_people([world.person("tom").pk], left)
    directory.purge_expired_accounts(left + dt.timedelta(days=91), days=90)
    virtual_class.refresh_from_db()  # the school's record stays
    assert not VirtualClassJoin.objects.filter(person=world.person("tom")).exists()


def lifecycle_people(person_ids):
    from cartable.lib.lifecycle import Forgetting

    return Forgetting(person_ids=person_ids, user_ids=[])


def test_join_traces_go_after_the_retention_period(world, settings):
    settings.TRACE_RETENTION_DAYS = 365
    virtual_class = scheduled(world)
    now = timezone.now()
    for days in (400, 10):
        VirtualClassJoin.objects.create(
            virtual_class=virtual_class,
            person=world.person("alice"),
            role=Role.ATTENDEE,
            at=now - dt.timedelta(days=days),
        )
    assert run_nightly(now)["visio_join_traces"] == 1
    assert VirtualClassJoin.objects.count() == 1


# --- What the pages cost -----------------------------------------------------------------------------------


def test_the_list_query_count_is_pinned(world, as_user, bbb_server, django_assert_max_num_queries):
    for name, pinned in (("alice", 5), ("marie", 6), ("tom", 6)):
        client = as_user(name)
        url = reverse("visio:index")
        scheduled(world)
        client.get(url)
        with django_assert_max_num_queries(pinned):
            assert client.get(url).status_code == 200
        for n in range(5):
            scheduled(world, title=f"Séance {n}", starts_in=60 * (n + 2))
        with django_assert_max_num_queries(pinned):
            body = client.get(url).content.decode()
        assert "Séance 4" in body


def test_the_page_of_a_virtual_class_query_count_is_pinned(world, as_user, django_assert_max_num_queries):
    virtual_class = scheduled(world)
    url = reverse("visio:detail", args=[virtual_class.pk])
    # Session, user, (second factor for staff,) the virtual class with its class, teacher and school.
    for name, pinned in (("alice", 4), ("marie", 5), ("tom", 5)):
        client = as_user(name)
        client.get(url)
        with django_assert_max_num_queries(pinned):
            assert client.get(url).status_code == 200


def test_the_teacher_changes_it_and_nobody_else_can(world, as_user, bbb_server):
    virtual_class = scheduled(world)
    url = reverse("visio:edit", args=[virtual_class.pk])
    for name in ("alice", "marie", "tess", "paul"):
        assert as_user(name).get(url).status_code == 404
        assert as_user(name).post(url, {"title": "Piraté"}).status_code == 404
    tom = as_user("tom")
    assert 'value="Révisions"' in tom.get(url).content.decode()
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    fields = {
        "title": "Révisions (suite)",
        "group": world.class_6a.pk,
        "day": day,
        "start": "14:00",
        "end": "15:00",
    }
    assert tom.post(url, fields).status_code == 302
    virtual_class.refresh_from_db()
    assert virtual_class.title == "Révisions (suite)"
    assert timezone.localtime(virtual_class.starts_at).strftime("%H:%M") == "14:00"
    # Another teacher's class: refused beside the field, nothing changed.
    assert tom.post(url, {**fields, "group": world.class_5b.pk, "title": "X"}).status_code == 200
    virtual_class.refresh_from_db()
    assert virtual_class.group == world.class_6a and virtual_class.title == "Révisions (suite)"
