"""The notifications section of /preferences and its form."""

from __future__ import annotations

import datetime

import pytest

from cartable.notifications.kinds import Channel
from cartable.notifications.models import DeliverySettings, Preference
from cartable.notifications.tests.conftest import DAILY, NOW

pytestmark = pytest.mark.django_db


def valid(**changes) -> dict:
    data = {
        f"kind_{NOW}": Channel.DIGEST,
        f"kind_{DAILY}": Channel.DIGEST,
        "quiet_enabled": "on",
        "quiet_start": "21:30",
        "quiet_end": "06:45",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_preferences_page_shows_the_section_with_the_defaults(client, world):
    world.login(client, "marie")
    body = client.get("/preferences").content.decode()
    assert "Notifications par courriel" in body
    assert 'action="/notifications/preferences"' in body
    assert "Nouvelle chose" in body and "Chose du jour" in body
    assert 'value="20:00"' in body and 'value="07:00"' in body


def test_saving_keeps_only_what_differs_from_the_defaults(client, world):
    world.login(client, "marie")
    response = client.post("/notifications/preferences", valid())
    assert response.status_code == 302 and response["Location"] == "/preferences"
    marie = world.person("marie")
    # NOW defaults to immediate: a row; DAILY defaults to the digest: none.
    chosen = list(Preference.objects.filter(person=marie).values_list("kind", "channel"))
    assert chosen == [(NOW, Channel.DIGEST)]
    settings = DeliverySettings.objects.get(person=marie)
    assert (settings.quiet_enabled, settings.quiet_start, settings.quiet_end, settings.email_off) == (
        True,
        datetime.time(21, 30),
        datetime.time(6, 45),
        False,
    )
    body = client.get("/preferences").content.decode()
    assert 'value="21:30"' in body
    # Back to the default: the row goes.
    client.post("/notifications/preferences", valid(**{f"kind_{NOW}": Channel.IMMEDIATE, "email_off": "on"}))
    assert not Preference.objects.filter(person=marie).exists()
    assert DeliverySettings.objects.get(person=marie).email_off


def test_bad_input_is_explained_and_nothing_is_lost(client, world):
    world.login(client, "marie")
    response = client.post(
        "/notifications/preferences", valid(quiet_start="25:99", quiet_end="07:00", **{f"kind_{NOW}": "sms"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="25:99"' in body and 'aria-invalid="true"' in body and 'id="id_quiet_start_error"' in body
    response = client.post("/notifications/preferences", valid(quiet_start="07:00", quiet_end="07:00"))
    assert response.status_code == 200
    assert "La fin des heures calmes doit différer de leur début." in response.content.decode()
    assert not DeliverySettings.objects.exists() and not Preference.objects.exists()


def test_each_person_saves_only_their_own(client, world):
    world.login(client, "bob")
    client.post("/notifications/preferences", valid())
    assert list(Preference.objects.values_list("person_id", flat=True)) == [world.person("bob").pk]


def test_the_platform_admin_has_no_section(client, world):
    world.login(client, "root")
    assert "Notifications par courriel" not in client.get("/preferences").content.decode()
    assert client.post("/notifications/preferences", valid()).status_code == 404


def test_account_purge_forgets_notifications_and_choices(world):
    from cartable.directory import actions as directory_actions
    from cartable.notifications import actions
    from cartable.notifications.models import Notification

    marc, marie = world.person("marc"), world.person("marie")
    actions.publish(NOW, recipients=[marc, marie], data={})
    DeliverySettings.objects.create(person=marc, sms_phone="+33612345678")
    Preference.objects.create(person=marc, kind=NOW, channel=Channel.OFF)
    start = datetime.datetime(2027, 1, 10, 8, tzinfo=datetime.UTC)
    directory_actions.deactivate_people([marc.pk], start)
    directory_actions.purge_expired_accounts(start + datetime.timedelta(days=93))
    assert not Notification.objects.filter(recipient=marc).exists()
    assert not DeliverySettings.objects.filter(person=marc).exists()
    assert not Preference.objects.filter(person=marc).exists()
    # Marie keeps hers.
    assert Notification.objects.filter(recipient=marie).count() == 1


def test_someone_without_an_email_address_is_told_no_email_can_reach_them(client, world):
    world.login(client, "marie")
    assert "aucun courriel ne peut vous être envoyé" not in client.get("/preferences").content.decode()
    world.users["bob"].email = ""
    world.users["bob"].save(update_fields=["email"])
    world.login(client, "bob")
    assert "aucun courriel ne peut vous être envoyé" in client.get("/preferences").content.decode()


REPORTED = "messaging.reported"


def test_each_person_is_offered_only_the_kinds_that_can_concern_them(client, world):
    """A reported message is told to direction and vie scolaire: a parent has nothing to choose about it."""
    world.login(client, "marie")
    body = client.get("/preferences").content.decode()
    assert "Nouvelle chose" in body and "Nouveau message" in body
    assert "Message signalé" not in body and f"kind_{REPORTED}" not in body
    for name in ("vera", "paul"):
        world.login(client, name)
        assert f'name="kind_{REPORTED}"' in client.get("/preferences").content.decode()
    world.login(client, "tom")
    assert "Message signalé" not in client.get("/notifications/preferences").content.decode()


def test_a_choice_about_a_kind_not_offered_is_ignored(client, world):
    world.login(client, "marie")
    response = client.post("/notifications/preferences", valid(**{f"kind_{REPORTED}": Channel.OFF}))
    assert response.status_code == 302
    assert not Preference.objects.filter(kind=REPORTED).exists()
    world.login(client, "vera")
    client.post("/notifications/preferences", valid(**{f"kind_{REPORTED}": Channel.OFF}))
    assert list(Preference.objects.filter(kind=REPORTED).values_list("person_id", flat=True)) == [
        world.person("vera").pk
    ]
