"""Who may reach the console: each school's admin in their school only, the platform admin everywhere."""

import pytest
from django.urls import reverse

from cartable.directory.models import Guardianship
from cartable.portal.models import CorrectionRequest

NOT_ADMINS = ("tom", "paul", "vera", "alice", "marie")


def console_urls(world, school, person, group):
    """(url name, url) of every console page of `school`, about `person` where a person is needed."""
    uai = school.uai
    request = CorrectionRequest.objects.create(
        person=person, school=school, message="Mon prénom est mal écrit."
    )
    link = Guardianship.objects.filter(student=person).order_by("pk")[0]
    return [
        ("school", reverse("console:school", args=[uai])),
        ("people", reverse("console:people", args=[uai])),
        ("person_new", reverse("console:person_new", args=[uai])),
        ("pupil_options", reverse("console:pupil_options", args=[uai]) + "?pupil_query=a"),
        ("person", reverse("console:person", args=[uai, person.pk])),
        ("person_logins", reverse("console:person_logins", args=[uai, person.pk])),
        ("person_block", reverse("console:person_block", args=[uai, person.pk])),
        ("person_unblock", reverse("console:person_unblock", args=[uai, person.pk])),
        ("person_code", reverse("console:person_code", args=[uai, person.pk])),
        ("person_reset", reverse("console:person_reset", args=[uai, person.pk])),
        ("person_edit", reverse("console:person_edit", args=[uai, person.pk])),
        (
            "person_edit_request",
            reverse("console:person_edit", args=[uai, person.pk]) + f"?demande={request.pk}",
        ),
        ("person_family", reverse("console:person_family", args=[uai, person.pk])),
        ("person_unlink", reverse("console:person_unlink", args=[uai, person.pk, link.pk])),
        ("letters", reverse("console:letters", args=[uai])),
        ("letters_person", reverse("console:letters", args=[uai]) + f"?person={person.pk}"),
        ("letters_class", reverse("console:letters", args=[uai]) + f"?classe={group.pk}"),
        ("corrections", reverse("console:corrections", args=[uai])),
        ("correction_answer", reverse("console:correction_answer", args=[uai, request.pk])),
        ("apps", reverse("console:apps", args=[uai])),
        ("settings", reverse("console:settings", args=[uai])),
    ]


# What an admin of the school gets on a GET: pages, or redirects where the page is an action.
# An activated account gets no new code: its page sends the admin to the reset, which says what it does.
EXPECTED_FOR_ADMIN = {"school": 302, "correction_answer": 405, "person_code": 302}


def urls_of_a(world):
    return console_urls(world, world.school_a, world.people["alice"], world.class_6a)


def urls_of_b(world):
    return console_urls(world, world.school_b, world.people["zoe"], world.class_6c)


def test_home_sends_a_school_admin_to_their_school(world, client):
    world.login(client, "ada")
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("console:people", args=[world.school_a.uai])


def test_home_lists_schools_for_the_platform_admin(world, client):
    world.login(client, "root")
    response = client.get(reverse("console:home"))
    assert response.status_code == 200
    assert world.school_a.name in response.text and world.school_b.name in response.text
    # Searching by name, town or UAI narrows the list.
    for text in (world.school_a.name[-6:].lower(), world.school_a.uai.lower()):
        found = client.get(reverse("console:home"), {"q": text}).text
        assert world.school_a.name in found and world.school_b.name not in found, text
    nothing = client.get(reverse("console:home"), {"q": "zzz introuvable"}).text
    assert "Aucun établissement ne correspond" in nothing and world.school_a.name not in nothing


def test_a_school_admin_searching_still_sees_only_their_schools(world, client):
    world.login(client, "ada")
    response = client.get(reverse("console:home"), {"q": world.school_b.name})
    assert response.status_code == 302  # one school: straight to it, whatever is searched
    assert response["Location"] == reverse("console:people", args=[world.school_a.uai])


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_non_admins_get_404_everywhere(world, client, name):
    world.login(client, name)
    assert client.get(reverse("console:home")).status_code == 404
    for label, url in urls_of_a(world) + urls_of_b(world):
        assert client.get(url).status_code == 404, label
        assert client.post(url).status_code == 404, label


def test_anonymous_is_sent_to_login(world, client):
    for label, url in [("home", reverse("console:home")), *urls_of_a(world)]:
        response = client.get(url)
        assert response.status_code == 302, label
        assert response["Location"].startswith("/auth/login"), label


@pytest.mark.parametrize(
    ("admin", "own", "other"), [("ada", urls_of_a, urls_of_b), ("bruno", urls_of_b, urls_of_a)]
)
def test_school_admin_reaches_their_school_only(world, client, admin, own, other):
    world.login(client, admin)
    for label, url in own(world):
        assert client.get(url).status_code == EXPECTED_FOR_ADMIN.get(label, 200), label
    for label, url in other(world):
        assert client.get(url).status_code == 404, label
        assert client.post(url).status_code == 404, label


@pytest.mark.parametrize(
    ("admin", "school", "stranger"), [("ada", "school_a", "zoe"), ("bruno", "school_b", "alice")]
)
def test_another_schools_person_is_not_found_through_ones_own_school(world, client, admin, school, stranger):
    world.login(client, admin)
    uai = getattr(world, school).uai
    person_id = world.people[stranger].pk
    for name in (
        "person",
        "person_logins",
        "person_block",
        "person_unblock",
        "person_code",
        "person_reset",
        "person_edit",
        "person_family",
    ):
        url = reverse(f"console:{name}", args=[uai, person_id])
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
    letters = reverse("console:letters", args=[uai])
    assert client.get(letters, {"person": person_id}).status_code == 404
    assert client.post(letters, {"person": person_id}).status_code == 404
    assert not world.users[stranger].__class__.objects.get(pk=world.users[stranger].pk).is_blocked


def test_another_schools_class_and_request_are_not_found(world, client):
    world.login(client, "ada")
    letters = reverse("console:letters", args=[world.school_a.uai])
    assert client.get(letters, {"classe": world.class_6c.pk}).status_code == 404
    assert client.post(letters, {"classe": world.class_6c.pk}).status_code == 404
    request_b = CorrectionRequest.objects.create(
        person=world.people["zoe"], school=world.school_b, message="x"
    )
    url = reverse("console:correction_answer", args=[world.school_a.uai, request_b.pk])
    assert (
        client.post(url, {f"r{request_b.pk}-status": "done", f"r{request_b.pk}-answer": "ok"}).status_code
        == 404
    )
    request_b.refresh_from_db()
    assert request_b.status == CorrectionRequest.Status.OPEN


def test_platform_admin_reaches_every_school(world, client):
    world.login(client, "root")
    for label, url in urls_of_a(world) + urls_of_b(world):
        assert client.get(url).status_code == EXPECTED_FOR_ADMIN.get(label, 200), label


@pytest.mark.parametrize("admin", ["ada", "bruno", "root"])
def test_console_asks_admins_for_their_second_factor(world, client, admin):
    world.login(client, admin, verified=False)
    school = world.school_b if admin == "bruno" else world.school_a
    for label, url in console_urls(
        world,
        school,
        world.people["zoe" if admin == "bruno" else "alice"],
        world.class_6c if admin == "bruno" else world.class_6a,
    ):
        response = client.get(url)
        assert response.status_code == 302, label
        assert response["Location"].startswith("/auth/mfa?next="), label
    response = client.get(reverse("console:home"))
    assert response["Location"].startswith("/auth/mfa?next=")


def test_unverified_admin_cannot_act(world, client, url_a):
    world.login(client, "ada", verified=False)
    alice = world.users["alice"]
    client.post(url_a("person_block", world.people["alice"].pk))
    alice.refresh_from_db()
    assert not alice.is_blocked
