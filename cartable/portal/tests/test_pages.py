"""/me (rights of access and rectification, rule C9), preferences, and the public charter and notice (C3)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from cartable.directory import actions as directory
from cartable.directory.models import Profile
from cartable.portal import actions
from cartable.portal.models import CorrectionRequest

pytestmark = pytest.mark.django_db

ME = "/me"
PREFERENCES = "/preferences"


@pytest.mark.parametrize("url", [ME, PREFERENCES])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_me_shows_my_directory_data(client, world):
    world.login(client, "alice")
    body = client.get(ME).content.decode()
    for fact in (
        "Martin",
        "Alice",
        world.users["alice"].username,
        "alice@example.test",
        "Collège Jean Moulin",
        "Élève",
        "6A",
        "Marie MARTIN",
        "Marc MARTIN",
    ):
        assert fact in body, fact


def test_me_shows_a_guardians_children_in_both_schools(client, world):
    world.login(client, "marie")
    body = client.get(ME).content.decode()
    assert "Alice MARTIN" in body and "Léo MARTIN" in body
    assert "Collège Jean Moulin" in body and "Collège Lumière" in body


def test_me_shows_functions_by_name(client, world):
    world.login(client, "vera")
    assert "Vie scolaire" in client.get(ME).content.decode()


def test_me_for_platform_admin_without_directory_entry(client, world):
    world.login(client, "root")
    response = client.get(ME)
    assert response.status_code == 200
    assert "Demander une correction" not in response.content.decode()


def test_correction_request_is_created_and_listed(client, world):
    world.login(client, "alice")
    response = client.post(
        ME, {"message": "Ma date de naissance est le 15 mars.", "school": world.school_a.pk}
    )
    assert response.status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.person == world.people["alice"] and request.school == world.school_a
    assert request.status == CorrectionRequest.Status.OPEN
    body = client.get(ME).content.decode()
    assert "a été transmise" in body
    assert "Ma date de naissance est le 15 mars." in body and "En attente" in body


def test_single_school_needs_no_choice(client, world):
    world.login(client, "alice")
    body = client.get(ME).content.decode()
    assert 'type="hidden" name="school"' in body


def test_person_in_two_schools_chooses_the_school(client, world):
    world.login(client, "marie")
    body = client.get(ME).content.decode()
    assert '<select name="school"' in body
    client.post(ME, {"message": "Mon adresse a changé.", "school": world.school_b.pk})
    assert CorrectionRequest.objects.get().school == world.school_b


def test_empty_message_rerenders_with_an_error(client, world):
    world.login(client, "alice")
    response = client.post(ME, {"message": "   ", "school": world.school_a.pk})
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_request_to_a_school_i_do_not_belong_to_is_refused(client, world):
    world.login(client, "alice")
    response = client.post(ME, {"message": "Bonjour", "school": world.school_b.pk})
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_action_refuses_a_school_of_someone_else(world):
    with pytest.raises(PermissionDenied):
        actions.request_correction(world.users["alice"], world.school_b, "Bonjour")


def test_i_only_see_my_own_requests(client, world):
    actions.request_correction(world.users["bob"], world.school_a, "Demande de Bob")
    world.login(client, "alice")
    assert "Demande de Bob" not in client.get(ME).content.decode()


@pytest.mark.parametrize("name", ["marie", "tom"])
def test_me_query_count_does_not_grow_with_requests(client, world, name, django_assert_max_num_queries):
    world.login(client, name)
    client.get(ME)
    for n in range(5):
        actions.request_correction(world.users[name], world.school_a, f"Demande {n}")
    # Staff pay one more query: their second-factor device.
    with django_assert_max_num_queries(14 if name == "tom" else 13):
        client.get(ME)


def test_language_switch_is_saved_and_used(client, world):
    world.login(client, "alice")
    assert '<html lang="fr">' in client.get(PREFERENCES).content.decode()
    response = client.post(PREFERENCES, {"language": "en"}, follow=True)
    assert response.status_code == 200
    world.users["alice"].refresh_from_db()
    assert world.users["alice"].language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_unknown_language_rerenders_with_an_error(client, world):
    world.login(client, "alice")
    response = client.post(PREFERENCES, {"language": "xx"})
    assert response.status_code == 200
    assert "field-errors" in response.content.decode()
    world.users["alice"].refresh_from_db()
    assert world.users["alice"].language == "fr"


def test_preferences_link_to_account_security_pages(client, world):
    world.login(client, "tom")
    body = client.get(PREFERENCES).content.decode()
    assert reverse("accounts:sessions") in body
    assert reverse("accounts:password_change") in body


def test_charter_is_public(client, world):
    response = client.get(reverse("portal:charter"))
    assert response.status_code == 200
    assert escape(world.charter.title) in response.content.decode()
    assert escape(world.charter.body) in response.content.decode()


def test_notice_is_public_and_covers_article_5(client, world):
    body = client.get(reverse("portal:notice")).content.decode()
    for part in (
        "30 novembre 2006",
        "trois mois",
        "six à douze mois",
        "rectification",
        "opposition",
        "CNIL",
        "Mes données",
        "destinataires",
    ):
        assert part in body, part


def test_notice_names_my_school_when_logged_in(client, world):
    world.login(client, "zoe")
    body = client.get(reverse("portal:notice")).content.decode()
    assert "Collège Lumière" in body and "Lyon" in body
    assert "Collège Jean Moulin" not in body


def test_notice_reachable_before_accepting_a_new_charter(client, world):
    from cartable.accounts.models import Charter

    Charter.objects.create(version=2, title="Charte v2", body="Nouvelle version.")
    world.login(client, "alice")
    assert client.get(reverse("portal:notice")).status_code == 200
    assert client.get(reverse("portal:charter")).status_code == 200


def test_guest_can_use_me(client, world):
    guest = directory.create_person(
        directory.NewPerson(
            first_name="Gaston", last_name="Invite", school=world.school_a, profile=Profile.GUEST
        )
    )
    from cartable.accounts.models import CharterAcceptance

    CharterAcceptance.objects.create(user=guest.user, charter=world.charter)
    client.force_login(guest.user)
    world.users["gaston"] = guest.user
    world.login(client, "gaston")
    assert client.get(ME).status_code == 200
