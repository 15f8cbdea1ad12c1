"""The SMS channel: the immediate notifications also go by text message to those who gave a number."""

from __future__ import annotations

import pytest
import time_machine

from cartable.notifications import actions, sms
from cartable.notifications.models import DeliverySettings
from cartable.notifications.tests.conftest import DAILY, NOW, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.NOTIFICATIONS_SMS_PROVIDER = "cartable.notifications.sms.MemoryProvider"
    sms.MemoryProvider.outbox.clear()
    yield sms.MemoryProvider.outbox
    sms.MemoryProvider.outbox.clear()


@pytest.fixture
def publish_now(world, django_capture_on_commit_callbacks, run_tasks):
    def go(kind, *names, title="cantine fermée"):
        with django_capture_on_commit_callbacks(execute=True):
            actions.publish(kind, recipients=[world.person(n) for n in names], data={"title": title})
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks()

    return go


def test_phone_numbers_are_normalized_or_refused():
    assert sms.normalize_phone("06 12 34 56 78") == "+33612345678"
    assert sms.normalize_phone("0033 6.12.34.56.78") == "+33612345678"
    assert sms.normalize_phone("+44 7700 900123") == "+447700900123"
    assert sms.normalize_phone("appelez-moi") is None
    assert sms.normalize_phone("12") is None


def test_immediate_notifications_go_by_sms_too_digest_ones_do_not(world, outbox, publish_now, mailoutbox):
    DeliverySettings.objects.create(person=world.person("marie"), sms_phone="+33612345678")
    world.marc.email = ""
    world.marc.save(update_fields=["email"])
    DeliverySettings.objects.create(person=world.person("marc"), sms_phone="+33698765432")
    with time_machine.travel(paris(2026, 11, 23, 10), tick=False):
        publish_now(NOW, "marie", "marc", "beatrice")
        publish_now(DAILY, "marie")
    assert sorted(outbox) == [
        ("+33612345678", "Cartable : Nouvelle chose : cantine fermée"),
        ("+33698765432", "Cartable : Nouvelle chose : cantine fermée"),
    ]
    # Marc has no email address: the SMS only; Béatrice has no number: the email only.
    assert sorted(m.to[0] for m in mailoutbox) == ["beatrice@example.test", "marie@example.test"]


def test_sms_wait_for_the_end_of_quiet_hours(world, outbox, publish_now):
    DeliverySettings.objects.create(person=world.person("marie"), sms_phone="+33612345678")
    with time_machine.travel(paris(2026, 11, 23, 23), tick=False):
        publish_now(NOW, "marie", title="un")
        publish_now(NOW, "marie", title="deux")
    assert outbox == []
    with time_machine.travel(paris(2026, 11, 24, 7, 5), tick=False):
        publish_now(NOW, "bob")  # any later work; the deferred task is due now
    assert outbox == [("+33612345678", "Cartable : 2 nouvelles notifications")]


def test_preferences_form_saves_a_normalized_number(client, world):
    world.login(client, "marie")
    data = {"quiet_enabled": "on", "quiet_start": "20:00", "quiet_end": "07:00"}
    bad = client.post("/notifications/preferences", data | {"sms_phone": "pas un numéro"})
    assert bad.status_code == 200 and "pas un numéro" in bad.content.decode()
    good = client.post("/notifications/preferences", data | {"sms_phone": "06 12 34 56 78"})
    assert good.status_code == 302
    assert DeliverySettings.objects.get(person=world.person("marie")).sms_phone == "+33612345678"
