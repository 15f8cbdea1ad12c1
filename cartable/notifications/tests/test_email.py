"""Emails delivered to a real SMTP server (aiosmtpd): immediate, quiet hours, daily digest, unsubscribe."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from cartable.notifications import actions, delivery
from cartable.notifications.kinds import Channel
from cartable.notifications.models import DeliverySettings, DigestRun, Notification, Preference
from cartable.notifications.tests.conftest import DAILY, NOW, paris, text_of

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def work(django_capture_on_commit_callbacks, run_tasks):
    """The worker, as in production: what its tasks queue after their own commit is queued too (the test's
    transaction never commits, so on_commit callbacks are captured and run)."""

    def go() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks()

    return go


@pytest.fixture
def publish_now(world, django_capture_on_commit_callbacks, work):
    """Publish as an action would, let the transaction commit, and run the worker."""

    def go(kind, *names, title="sortie au musée", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            event = actions.publish(
                kind,
                recipients=[world.person(name) for name in names],
                school=world.school_a,
                data={"title": title},
                url="/annuaire/",
                **extra,
            )
        work()
        return event

    return go


def unsubscribe_path(message) -> str:
    header = message["List-Unsubscribe"]
    match = re.fullmatch(r"<https?://[^/]+(/notifications/desabonnement/[^>]+)>", header)
    assert match, header
    return match.group(1)


def test_immediate_email_reaches_the_smtp_server(world, smtp, publish_now):
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        event = publish_now(NOW, "marie", "marc", about=world.person("alice"))
    assert sorted(m["To"] for m in smtp.messages) == ["marc@example.test", "marie@example.test"]
    message = smtp.to("marie@example.test")[0]
    assert message["Subject"] == "Cartable : Nouvelle chose"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_of(message)
    assert "Nouvelle chose : sortie au musée" in body
    assert "/notifications/desabonnement/" in body
    html = text_of(message, "html")
    assert "sortie au musée" in html and "/notifications/desabonnement/" in html
    # Nothing else about the pupil than what the event says.
    assert "ALICE" not in body.upper().replace("NOUVELLE", "")
    assert Notification.objects.filter(event=event, emailed_at__isnull=False).count() == 2


def test_email_is_in_the_recipients_language(world, smtp, publish_now):
    world.marie.language = "en"
    world.marie.save(update_fields=["language"])
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        publish_now(NOW, "marie")
    message = smtp.to("marie@example.test")[0]
    assert "Unsubscribe from this kind of email" in text_of(message)


def test_people_without_email_or_choosing_off_get_nothing(world, smtp, publish_now):
    world.bob.email = ""
    world.bob.save(update_fields=["email"])
    Preference.objects.create(person=world.person("marc"), kind=NOW, channel=Channel.OFF)
    DeliverySettings.objects.create(person=world.person("tom"), email_off=True)
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        event = publish_now(NOW, "bob", "marc", "tom", "alice")
    assert [m["To"] for m in smtp.messages] == ["alice@example.test"]
    # Still on their timeline.
    assert event.notifications.count() == 4


def test_quiet_hours_hold_the_email_until_morning(world, smtp, publish_now, work):
    with time_machine.travel(paris(2026, 11, 23, 22, 30), tick=False):
        publish_now(NOW, "alice", title="un")
        publish_now(NOW, "alice", title="deux")
    assert smtp.messages == []
    waiting = DBTaskResult.objects.filter(task_path__endswith="flush_people", status="READY")
    assert {task.run_after for task in waiting} == {paris(2026, 11, 24, 7)}

    with time_machine.travel(paris(2026, 11, 24, 6, 59), tick=False):
        work()
    assert smtp.messages == []
    with time_machine.travel(paris(2026, 11, 24, 7, 1), tick=False):
        work()
    # Both waited and leave together, once.
    assert len(smtp.messages) == 1
    body = text_of(smtp.messages[0])
    assert "Nouvelle chose : un" in body and "Nouvelle chose : deux" in body
    assert smtp.messages[0]["Subject"] == "Cartable : 2 nouvelles notifications"


def test_quiet_hours_are_the_persons_choice(world, smtp, publish_now):
    DeliverySettings.objects.create(person=world.person("alice"), quiet_enabled=False)
    DeliverySettings.objects.create(
        person=world.person("bob"),
        quiet_start=paris(2026, 1, 1, 23).time(),
        quiet_end=paris(2026, 1, 1, 6).time(),
    )
    with time_machine.travel(paris(2026, 11, 23, 22, 30), tick=False):
        publish_now(NOW, "alice", "bob", "marie")
    # Alice has no quiet hours, Bob's start at 23:00; Marie keeps the default 20:00–07:00.
    assert sorted(m["To"] for m in smtp.messages) == ["alice@example.test", "bob@example.test"]


def test_read_before_morning_is_not_emailed(world, smtp, publish_now, work):
    with time_machine.travel(paris(2026, 11, 23, 22, 30), tick=False):
        event = publish_now(NOW, "alice")
    actions.mark_all_read(world.users["alice"])
    with time_machine.travel(paris(2026, 11, 24, 8), tick=False):
        work()
    assert smtp.messages == []
    assert Notification.objects.get(event=event).emailed_at is None


def test_daily_digest_gathers_the_day_and_is_scheduled_by_the_worker(world, smtp, publish_now, work):
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        publish_now(DAILY, "alice", title="matin")
    with time_machine.travel(paris(2026, 11, 23, 16), tick=False):
        publish_now(DAILY, "alice", "bob", title="après-midi")
    assert smtp.messages == []
    # The first event for a digest reader queued tomorrow's digest, once.
    assert list(DigestRun.objects.values_list("day", flat=True)) == [paris(2026, 11, 24, 0).date()]
    planned = DBTaskResult.objects.get(task_path__endswith="daily_digest")
    assert planned.run_after == paris(2026, 11, 24, 7, 30)

    with time_machine.travel(paris(2026, 11, 24, 7, 31), tick=False):
        work()
    assert sorted(m["To"] for m in smtp.messages) == ["alice@example.test", "bob@example.test"]
    alice = smtp.to("alice@example.test")[0]
    assert alice["Subject"] == "Cartable : votre résumé du jour"
    body = text_of(alice)
    assert "Chose du jour : matin" in body and "Chose du jour : après-midi" in body
    assert "Ne plus recevoir aucun courriel de notification" in body
    # The digest queued the next one for the following morning.
    assert DBTaskResult.objects.filter(
        task_path__endswith="daily_digest", status="READY", run_after=paris(2026, 11, 25, 7, 30)
    ).exists()


def test_send_digests_command_sends_once(world, smtp, publish_now):
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        publish_now(DAILY, "alice", "marie")
        call_command("send_digests", stdout=StringIO())
        assert len(smtp.messages) == 2
        call_command("send_digests", stdout=StringIO())
    assert len(smtp.messages) == 2


def test_unsubscribe_link_turns_the_kind_off_without_login(client, world, smtp, publish_now):
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        publish_now(NOW, "alice")
        path = unsubscribe_path(smtp.messages[0])
        assert path in text_of(smtp.messages[0])
        # Opening the link changes nothing (mail scanners open links); the button does.
        page = client.get(path)
        assert page.status_code == 200 and "Nouvelle chose" in page.content.decode()
        assert not Preference.objects.exists()
        assert client.post(path).status_code == 200
        assert Preference.objects.get(person=world.person("alice"), kind=NOW).channel == Channel.OFF
        publish_now(NOW, "alice")
    assert len(smtp.messages) == 1


def test_one_click_unsubscribe_of_a_digest_stops_every_email(client, world, smtp, publish_now):
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        publish_now(DAILY, "alice")
        delivery.run_digest()
        path = unsubscribe_path(smtp.to("alice@example.test")[0])
        # RFC 8058: the mail client posts "List-Unsubscribe=One-Click", without session or CSRF token.
        assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
        assert DeliverySettings.objects.get(person=world.person("alice")).email_off
        publish_now(NOW, "alice")
    assert len(smtp.messages) == 1


def test_tampered_unsubscribe_token_is_refused(client, world):
    token = delivery.unsubscribe_token(world.person("alice").pk, NOW)
    assert delivery.read_unsubscribe_token(token) == (world.person("alice").pk, NOW)
    forged = delivery.unsubscribe_token(world.person("bob").pk, NOW)
    tampered = forged.split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (tampered, token[:-2] + "xx", "nothing"):
        assert delivery.read_unsubscribe_token(bad) is None
        assert client.post(f"/notifications/desabonnement/{bad}").status_code == 400
    assert not Preference.objects.exists()


def test_password_reset_email_leaves_from_the_worker(
    client, world, smtp, django_capture_on_commit_callbacks, work
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/auth/password/reset", {"email": "marie@example.test"})
        unknown = client.post("/auth/password/reset", {"email": "personne@example.test"})
    # The same answer, and nothing sent inside the request.
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert smtp.messages == []
    work()
    assert [m["To"] for m in smtp.messages] == ["marie@example.test"]
    assert "/auth/password/reset/" in text_of(smtp.messages[0])


def test_unreachable_mail_server_loses_nothing(world, settings, smtp, publish_now, work):
    mail_server = settings.MAILERS
    from cartable.notifications.tests.conftest import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        event = publish_now(NOW, "alice")
    assert Notification.objects.get(event=event).emailed_at is None
    # The next daily digest tries again, once the server is back.
    settings.MAILERS = mail_server
    with time_machine.travel(paris(2026, 11, 24, 7, 31), tick=False):
        work()
    assert [m["To"] for m in smtp.messages] == ["alice@example.test"]
    assert "Nouvelle chose : sortie au musée" in text_of(smtp.messages[0])


def test_send_digests_plan_only_queues_the_next_digest_once(world, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(paris(2026, 11, 23, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_digests", "--plan-only", stdout=StringIO())
        call_command("send_digests", "--plan-only", stdout=StringIO())
    # Past 07:30 the next digest is tomorrow's; one task however often it is asked for.
    planned = DBTaskResult.objects.get(task_path__endswith="daily_digest")
    assert planned.run_after == paris(2026, 11, 24, 7, 30)
