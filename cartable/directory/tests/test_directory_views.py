"""The directory pages: who may search and open whom, and what each one sees (rule C1)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def profile_url(world, name):
    return reverse("directory:person", args=[world.people[name].pk])


def get_profile(client, world, viewer, target, **login):
    world.login(client, viewer, **login)
    return client.get(profile_url(world, target))


@pytest.mark.parametrize(
    ("viewer", "target"),
    [
        ("alice", "alice"),
        ("alice", "tom"),  # her teacher
        ("alice", "marie"),  # her guardian
        ("marie", "alice"),
        ("marie", "leo"),  # her child in the other school
        ("marie", "xavier"),  # Léo's teacher
        ("tom", "alice"),
        ("tom", "beatrice"),  # guardian of a pupil he teaches
        ("tess", "carl"),
        ("vera", "carl"),
        ("paul", "gino"),
        ("ada", "alice"),
        ("root", "alice"),
        ("root", "zoe"),
        ("zoe", "zoe"),
    ],
)
def test_profile_is_open_to_people_who_may_see_it(client, world, viewer, target):
    response = get_profile(client, world, viewer, target)
    assert response.status_code == 200
    assert world.people[target].first_name in response.content.decode()


@pytest.mark.parametrize(
    ("viewer", "target"),
    [
        ("alice", "bob"),  # a classmate: a pupil's profile concerns the adults around them, not other pupils
        ("alice", "carl"),  # another class
        ("alice", "beatrice"),  # a classmate's parent
        ("alice", "tess"),  # a teacher who does not teach her
        ("marie", "bob"),  # not her child
        ("marie", "zoe"),
        ("tess", "alice"),  # does not teach 6A
        ("tess", "marie"),
        ("zoe", "alice"),  # another school
        ("xavier", "alice"),
        ("bruno", "alice"),  # ADML of the other school
        ("gino", "alice"),
    ],
)
def test_profile_of_someone_else_answers_404(client, world, viewer, target):
    assert get_profile(client, world, viewer, target).status_code == 404


def test_unknown_person_answers_404(client, world):
    world.login(client, "root")
    assert client.get(reverse("directory:person", args=[999_999])).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    for url in (reverse("directory:search"), profile_url(world, "alice")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("viewer", ["alice", "marie", "vera", "ada", "root"])
def test_birth_date_and_email_shown_to_self_guardians_and_school_wide_staff(client, world, viewer):
    body = get_profile(client, world, viewer, "alice").content.decode()
    assert "alice@example.test" in body
    assert "2015" in body


@pytest.mark.parametrize("viewer", ["tom"])
def test_birth_date_and_email_hidden_from_teachers(client, world, viewer):
    body = get_profile(client, world, viewer, "alice").content.decode()
    assert "alice@example.test" not in body
    assert "2015" not in body


def test_teacher_sees_the_guardians_of_a_pupil_he_teaches(client, world):
    body = get_profile(client, world, "tom", "alice").content.decode()
    assert "Marie MARTIN" in body and "Marc MARTIN" in body


def test_colleague_does_not_see_a_teachers_private_details(client, world):
    body = get_profile(client, world, "tess", "tom").content.decode()
    assert "tom@example.test" not in body


def test_staff_without_second_factor_must_verify_before_opening_a_pupil(client, world):
    response = get_profile(client, world, "tom", "alice", verified=False)
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_staff_without_second_factor_give_it_before_their_own_profile_too(client, world):
    response = get_profile(client, world, "tom", "tom", verified=False)
    assert response.status_code == 302 and response["Location"].startswith("/auth/mfa?next=")


def search(client, world, viewer, text="", **params):
    world.login(client, viewer)
    return client.get(reverse("directory:search"), {"q": text, **params})


def test_search_finds_only_visible_people(client, world):
    body = search(client, world, "alice", "").content.decode()
    assert "Tom LEROY" in body and "Marie MARTIN" in body
    assert (
        "Bob DURAND" not in body
        and "Carl PETIT" not in body
        and "Zoé BERNARD" not in body
        and "Tess MOREAU" not in body
    )


def test_search_by_several_words(client, world):
    body = search(client, world, "root", "alice martin").content.decode()
    assert "Alice MARTIN" in body and "Marie MARTIN" not in body


def test_search_shows_profile_and_class(client, world):
    body = search(client, world, "tom", "durand").content.decode()
    assert "Bob DURAND" in body and "6A" in body and "Élève" in body and "Parent" in body


def test_other_school_staff_do_not_find_our_pupils(client, world):
    body = search(client, world, "bruno", "alice").content.decode()
    assert "Alice MARTIN" not in body


def test_search_is_paginated_by_25(client, world):

    for n in range(30):
        world.add_pupil(f"Élève{n:02d}", "Zola", world.class_6a)
    first = search(client, world, "vera", "zola").content.decode()
    assert first.count("ZOLA</a>") == 25
    assert "page=2" in first
    second = client.get(reverse("directory:search"), {"q": "zola", "page": 2}).content.decode()
    assert second.count("ZOLA</a>") == 5


def test_search_query_count_does_not_grow_with_results(client, world, django_assert_max_num_queries):

    world.login(client, "vera")
    client.get(reverse("directory:search"))  # warm the session
    with django_assert_max_num_queries(12):
        client.get(reverse("directory:search"))
    for n in range(20):
        world.add_pupil(f"P{n}", "Hugo", world.class_6a)
    with django_assert_max_num_queries(12):
        client.get(reverse("directory:search"))


def test_profile_page_query_count(client, world, django_assert_max_num_queries):
    world.login(client, "marie")
    client.get(profile_url(world, "alice"))
    with django_assert_max_num_queries(14):
        assert client.get(profile_url(world, "alice")).status_code == 200


def test_staff_without_second_factor_must_verify_before_searching(client, world):
    world.login(client, "tom", verified=False)
    response = client.get(reverse("directory:search"))
    assert response.status_code == 302
    assert "next=" in response["Location"]


@pytest.mark.parametrize("name", ["alice", "marie"])
def test_pupils_and_families_search_without_a_second_factor(client, world, name):
    world.login(client, name, verified=False)
    assert client.get(reverse("directory:search")).status_code == 200


# --- What a profile tells: only the schools and links the viewer shares (policy.schools_shown) ----------

SCHOOL_A, SCHOOL_B = "Collège Jean Moulin", "Collège Lumière"


def test_a_teacher_of_school_a_is_not_told_of_marie_s_child_in_school_b(client, world):
    body = get_profile(client, world, "tom", "marie").content.decode()
    assert SCHOOL_A in body
    assert SCHOOL_B not in body and "Léo" not in body


def test_marie_sees_all_of_herself(client, world):
    body = get_profile(client, world, "marie", "marie").content.decode()
    assert SCHOOL_A in body and SCHOOL_B in body
    assert "Alice" in body and "Léo" in body


def test_school_wide_staff_see_their_own_school_only(client, world):
    body = get_profile(client, world, "paul", "marie").content.decode()
    assert SCHOOL_A in body and "Alice" in body
    assert SCHOOL_B not in body and "Léo" not in body
    body = get_profile(client, world, "xavier", "marie").content.decode()
    assert SCHOOL_B in body
    assert SCHOOL_A not in body and "Alice" not in body


def test_the_platform_admin_sees_every_school(client, world):
    body = get_profile(client, world, "root", "marie").content.decode()
    assert SCHOOL_A in body and SCHOOL_B in body and "Alice" in body and "Léo" in body


def test_a_pupil_s_classes_elsewhere_are_not_told(client, world):
    """A pupil enrolled in both schools: Tom sees 6A, not 6C."""
    from cartable.directory import actions as directory
    from cartable.directory.models import Profile

    alice = world.person("alice")
    directory.add_membership(alice, world.school_b, Profile.STUDENT)
    directory.enrol(alice, world.class_6c)
    body = get_profile(client, world, "tom", "alice").content.decode()
    # Word boundaries: a random token of the page (CSRF) may hold the letters "6C".
    assert re.search(r"\b6A\b", body) and not re.search(r"\b6C\b", body) and SCHOOL_B not in body
    body = get_profile(client, world, "marie", "alice").content.decode()
    assert "6A" in body and "6C" in body


def test_search_lists_only_the_profiles_the_viewer_shares(client, world):
    world.login(client, "tom")
    response = client.get(reverse("directory:search"), {"q": "marie"})
    row = next(r for r in response.context["rows"] if r[0].pk == world.person("marie").pk)
    assert [m.school_id for m in row[1]] == [world.school_a.pk]
    world.login(client, "root")
    response = client.get(reverse("directory:search"), {"q": "marie"})
    row = next(r for r in response.context["rows"] if r[0].pk == world.person("marie").pk)
    assert {m.school_id for m in row[1]} == {world.school_a.pk, world.school_b.pk}
