"""The school's kill-switch is also its direction's and vie scolaire's (policy.may_pause_messaging): they
handle the incidents, often when the ENT admin is not there. They reach it from their home and from the
reported messages, outside the console, whose other pages stay the ENT admin's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.access import policy
from cartable.communication import actions
from cartable.communication.models import CommunicationChange, SendingPause
from cartable.communication.rules import may_send
from cartable.directory.models import Profile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["vera", "paul"])
def test_the_cpe_and_the_principal_stop_and_restore_pupils_messages(world, as_user, url_a, name):
    client = as_user(name)
    page = client.get(url_a("kill_switch"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Couper l’envoi (Élève)" in html
    # Not the console: neither its menu nor its bulk password reset, which stay the ENT admin's.
    assert reverse("console:people", args=[world.school_a.uai]) not in html
    assert reverse("console:pupils_reset", args=[world.school_a.uai]) not in html
    assert "administrateur ENT" in html
    confirm = client.post(url_a("kill_switch"), {"profile": Profile.STUDENT, "action": "pause"})
    assert confirm.status_code == 200 and "Oui, couper l’envoi" in confirm.content.decode()
    assert reverse("console:people", args=[world.school_a.uai]) not in confirm.content.decode()
    client.post(url_a("kill_switch"), {"profile": Profile.STUDENT, "action": "pause", "confirm": "1"})
    assert not may_send(world.alice)
    assert SendingPause.objects.get().by == world.users[name]
    client.post(url_a("kill_switch"), {"profile": Profile.STUDENT, "action": "resume", "confirm": "1"})
    assert may_send(world.alice)
    traced = CommunicationChange.objects.filter(school=world.school_a).values_list("kind", "actor")
    assert set(traced) == {
        (CommunicationChange.Kind.PAUSED, world.users[name].pk),
        (CommunicationChange.Kind.RESUMED, world.users[name].pk),
    }


def test_only_their_own_school_and_never_the_platform(world, as_user):
    other = reverse("communication:kill_switch", args=[world.school_b.uai])
    for name in ("vera", "paul"):
        assert as_user(name).get(other).status_code == 404
        assert (
            as_user(name)
            .post(other, {"profile": Profile.STUDENT, "action": "pause", "confirm": "1"})
            .status_code
            == 404
        )
        with pytest.raises(PermissionDenied):
            actions.pause_sending(world.users[name], world.school_b, Profile.STUDENT)
        with pytest.raises(PermissionDenied):
            actions.pause_sending(world.users[name], None, Profile.STUDENT)
    # Teachers, families and the other school's staff do not hold it.
    for name in ("tom", "tess", "alice", "marie", "bruno", "xavier"):
        assert not policy.may_pause_messaging(world.users[name], world.school_a), name
        with pytest.raises(PermissionDenied):
            actions.pause_sending(world.users[name], world.school_a, Profile.STUDENT)
    assert not SendingPause.objects.exists()


def test_the_rest_of_the_console_stays_closed_to_them(world, as_user, url_a):
    for name in ("vera", "paul"):
        client = as_user(name)
        for url in (
            url_a("rules"),
            reverse("console:pupils_reset", args=[world.school_a.uai]),
            reverse("console:settings", args=[world.school_a.uai]),
        ):
            assert client.get(url).status_code == 404, (name, url)


def test_they_see_the_switches_history_not_the_consoles(world, as_user, url_a):
    actions.reset_rules(world.ada, world.school_a)
    actions.pause_sending(world.ada, world.school_a, Profile.RELATIVE)
    html = as_user("vera").get(url_a("kill_switch")).content.decode()
    assert "Envoi de messages coupé" in html
    assert "Règles de communication remises par défaut" not in html
    assert (
        "Règles de communication remises par défaut"
        in as_user("ada").get(url_a("kill_switch")).content.decode()
    )


def test_the_reported_messages_lead_to_the_kill_switch(world, as_user, url_a):
    for name in ("vera", "paul", "ada"):
        assert url_a("kill_switch") in as_user(name).get(reverse("messaging:reports")).content.decode(), name
