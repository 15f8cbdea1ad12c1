""" "Quand mon compte sera fermé": a person objects (or not) to keeping their contributions after the purge
(rule C5), from "Mes données"."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from cartable.directory import actions
from cartable.directory.models import Person

pytestmark = pytest.mark.django_db

URL = reverse("portal:contributions")


def test_the_choice_is_shown_then_changed_by_the_person(client, world):
    world.login(client, "alice")
    page = client.get(reverse("portal:me")).content.decode()
    assert "Quand mon compte sera fermé" in page
    assert re.search(r'value="keep"[^>]*checked', page) and not re.search(r'value="delete"[^>]*checked', page)

    response = client.post(URL, {"choice": "delete"}, follow=True)
    page = response.content.decode()
    assert "Votre choix est enregistré." in page and re.search(r'value="delete"[^>]*checked', page)
    assert Person.objects.get(pk=world.person("alice").pk).keep_contributions is False
    # Nobody else's choice moved.
    assert Person.objects.get(pk=world.person("bob").pk).keep_contributions is True


def test_a_missing_or_unknown_choice_changes_nothing_and_says_so(client, world):
    world.login(client, "marie")
    for data in ({}, {"choice": "everything"}):
        response = client.post(URL, data, follow=True)
        assert "Choisissez ce que deviennent vos messages et publications." in response.content.decode()
    assert Person.objects.get(pk=world.person("marie").pk).keep_contributions is True


def test_the_platform_admin_has_no_directory_entry_and_anonymous_people_log_in_first(client, world):
    world.login(client, "root")
    assert client.post(URL, {"choice": "delete"}).status_code == 404
    client.logout()
    response = client.post(URL, {"choice": "delete"})
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_an_objection_means_the_purge_deletes_the_person_entirely(client, world):
    world.login(client, "bob")
    client.post(URL, {"choice": "delete"})
    bob = world.person("bob")
    left = dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)
    actions.deactivate_people([bob.pk], left)
    result = actions.purge_expired_accounts(left + dt.timedelta(days=91), days=90)
    assert result.deleted == 1 and not Person.objects.filter(pk=bob.pk).exists()
