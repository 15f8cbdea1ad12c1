"""The SMS channel: the immediate notifications also go by text message to those who gave a number."""

from __future__ import annotations

import html

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


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.61.23.45.67", "+33761234567"),
        ("0033 6.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("+590 690 12 34 56", "+590690123456"),  # Guadeloupe
    ],
)
def test_french_mobile_numbers_are_normalized(typed, stored):
    assert sms.normalize_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "01 23 45 67 89",  # a landline gets no text message
        "08 00 12 34 56",
        "06 12 34 56 7",
        "06 12 34 56 789",
        "+44 7700 900123",
        "+33 1 23 45 67 89",
        "appelez-moi",
        "12",
        "",
        "０６１２３４５６７８",  # noqa: RUF001 (full-width digits on purpose)
        "06１2345678",  # noqa: RUF001 (digits of other scripts, refused on purpose)
    ],
)
def test_anything_else_is_refused(typed):
    assert sms.normalize_mobile(typed) is None


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
    assert "n'est pas un numéro de mobile français" in html.unescape(bad.content.decode())
    landline = client.post("/notifications/preferences", data | {"sms_phone": "01 23 45 67 89"})
    assert landline.status_code == 200
    assert not DeliverySettings.objects.filter(person=world.person("marie")).exists()
    good = client.post("/notifications/preferences", data | {"sms_phone": "06 12 34 56 78"})
    assert good.status_code == 302
    assert DeliverySettings.objects.get(person=world.person("marie")).sms_phone == "+33612345678"
