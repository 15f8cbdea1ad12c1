"""Right of access (rule C9): "Mes données" lists what the notifications hold about the person, only them."""

from __future__ import annotations

import datetime

import pytest

from cartable.notifications.kinds import Channel
from cartable.notifications.models import DeliverySettings, Preference
from cartable.notifications.tests.conftest import DAILY
from cartable.portal.launcher import rendered_my_data_sections
from cartable.portal.registry import MyDataSection, Registry

pytestmark = pytest.mark.django_db

ME = "/me"


def test_my_data_shows_my_sms_number_email_choices_and_quiet_hours(client, world):
    marie = world.person("marie")
    DeliverySettings.objects.create(
        person=marie,
        sms_phone="+33612345678",
        quiet_start=datetime.time(21, 30),
        quiet_end=datetime.time(6, 45),
    )
    Preference.objects.create(person=marie, kind=DAILY, channel=Channel.OFF)
    world.login(client, "marie")
    body = client.get(ME).content.decode()
    assert "+33612345678" in body
    assert "de 21:30 à 06:45" in body
    assert "Chose du jour : Pas de courriel" in body
    # A parent is not told about the kinds that cannot concern her.
    assert "Message signalé" not in body


def test_another_persons_number_is_never_shown(client, world):
    DeliverySettings.objects.create(person=world.person("marie"), sms_phone="+33612345678")
    DeliverySettings.objects.create(person=world.person("marc"), sms_phone="+33698765432")
    for name in ("marc", "tom", "vera", "alice"):
        world.login(client, name)
        body = client.get(ME).content.decode()
        assert "+33612345678" not in body, name
    world.login(client, "marc")
    assert "+33698765432" in client.get(ME).content.decode()
    # Without a number, the page says so.
    world.login(client, "bob")
    body = client.get(ME).content.decode()
    assert "Téléphone pour les SMS" in body and "+336" not in body


def test_the_platform_admin_has_no_notifications_section(client, world):
    world.login(client, "root")
    assert "Téléphone pour les SMS" not in client.get(ME).content.decode()


def test_sections_are_rendered_in_order_and_only_for_those_they_concern(rf, world):
    sections = Registry()
    sections.register_my_data_section(
        MyDataSection(code="b", template="notifications/my_data_section.html", context=lambda r: None)
    )
    sections.register_my_data_section(
        MyDataSection(
            code="a",
            template="notifications/my_data_section.html",
            context=lambda r: {"delivery": DeliverySettings(sms_phone="+33600000000"), "channels": []},
            order=1,
        )
    )
    request = rf.get(ME)
    request.user = world.users["marie"]
    html = rendered_my_data_sections(request, sections)
    assert len(html) == 1 and "+33600000000" in html[0]
