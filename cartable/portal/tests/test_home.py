"""The home page: greeting, launcher filtered per profile and school, children switcher, widgets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.accounts.models import CharterAcceptance, User
from cartable.console.actions import SwitchCell, save_app_switches
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import Function, Profile

pytestmark = pytest.mark.django_db

HOME = "/"


def home(client, world, name, **params):
    world.login(client, name)
    return client.get(HOME, params)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def switch_off(school, profile, *, enabled=False):
    """The school admin's switch, written as the console writes it (the launcher caches switches)."""
    root = User.objects.get(username="root")
    save_app_switches(root, school, [SwitchCell(app_code="directory", profile=profile, enabled=enabled)])


@pytest.mark.parametrize("name", ["alice", "marie", "tom", "vera", "paul", "ada", "zoe", "bruno"])
def test_greets_by_first_name(client, world, name):
    response = home(client, world, name)
    assert response.status_code == 200
    assert f"Bonjour {world.people[name].first_name}" in response.content.decode()


def test_platform_admin_without_directory_entry_is_greeted_by_login(client, world):
    response = home(client, world, "root")
    assert response.status_code == 200
    assert "Bonjour root" in response.content.decode()


def test_launcher_lists_directory_and_my_data(client, world):
    body = home(client, world, "alice").content.decode()
    assert reverse("directory:search") in body
    assert reverse("portal:me") in body


def test_admin_entry_only_for_school_admins(client, world):
    try:
        console = reverse("console:home")
    except Exception:
        pytest.skip("the console is not installed")
    # The tile itself: the direction's home links to its kill-switch, a page under the console's address.
    tile = f'href="{console}"'
    for name in ("ada", "bruno", "root"):
        assert tile in home(client, world, name).content.decode(), name
    for name in ("alice", "marie", "tom", "vera", "paul"):
        assert tile not in home(client, world, name).content.decode(), name


def test_app_switched_off_for_a_profile_disappears_for_that_profile_only(client, world):
    switch_off(world.school_a, Profile.STUDENT, enabled=False)
    directory_url = f'href="{reverse("directory:search")}"'
    assert directory_url not in home(client, world, "alice").content.decode()
    assert directory_url in home(client, world, "tom").content.decode()
    # The same profile in another school keeps it.
    assert directory_url in home(client, world, "zoe").content.decode()


def test_app_stays_when_another_school_of_the_user_keeps_it(client, world):
    # Marie is a parent in both schools: switching the directory off in A leaves it from B.
    switch_off(world.school_a, Profile.RELATIVE, enabled=False)
    assert f'href="{reverse("directory:search")}"' in home(client, world, "marie").content.decode()
    switch_off(world.school_b, Profile.RELATIVE, enabled=False)
    assert f'href="{reverse("directory:search")}"' not in home(client, world, "marie").content.decode()


def test_switch_turned_back_on_shows_the_app(client, world):
    switch_off(world.school_a, Profile.STUDENT, enabled=True)
    assert f'href="{reverse("directory:search")}"' in home(client, world, "alice").content.decode()


def test_guest_profile_does_not_get_the_directory(client, world):
    guest = directory.create_person(
        directory.NewPerson(
            first_name="Gaston", last_name="Invite", school=world.school_a, profile=Profile.GUEST
        )
    )
    CharterAcceptance.objects.create(user=guest.user, charter=world.charter)
    world.users["gaston"] = guest.user
    world.people["gaston"] = guest
    body = home(client, world, "gaston").content.decode()
    assert f'href="{reverse("directory:search")}"' not in body
    assert f'href="{reverse("portal:me")}"' in body


def test_guardian_sees_children_switcher_and_first_child_by_default(client, world):
    body = home(client, world, "marie").content.decode()
    assert "Mes enfants" in body
    assert f"?enfant={world.people['alice'].pk}" in body
    assert f"?enfant={world.people['leo'].pk}" in body
    assert "Alice MARTIN" in body and "<strong>6A</strong>" in body and "Collège Jean Moulin" in body


def test_guardian_switches_to_another_child(client, world):
    body = home(client, world, "marie", enfant=world.people["leo"].pk).content.decode()
    assert "Léo MARTIN" in body and "6C" in body and "Collège Lumière" in body
    # The child's teacher, from the directory widget.
    assert "Xavier GIRARD" in body


@pytest.mark.parametrize("other", ["bob", "carl", "zoe", "marc", "tom"])
def test_guardian_cannot_pick_someone_elses_child(client, world, other):
    assert home(client, world, "marie", enfant=world.people[other].pk).status_code == 404


def test_garbage_child_id_is_404(client, world):
    assert home(client, world, "marie", enfant="abc").status_code == 404


def test_non_guardian_choosing_a_child_is_404(client, world):
    assert home(client, world, "tom", enfant=world.people["alice"].pk).status_code == 404


def test_pupils_have_no_children_switcher(client, world):
    assert "Mes enfants" not in home(client, world, "alice").content.decode()


def test_pupil_widget_shows_class_and_teachers(client, world):
    body = home(client, world, "alice").content.decode()
    assert (
        "Ma classe" in body
        and "<strong>6A</strong>" in body
        and "Tom LEROY" in body
        and "Mathématiques" in body
    )


def test_teacher_widget_shows_taught_classes_with_pupil_counts(client, world):
    body = home(client, world, "tom").content.decode()
    assert "Mes classes" in body and "<strong>6A</strong>" in body and "2 élèves" in body
    assert "<strong>5B</strong>" not in body


def test_guardian_child_widget_shows_teachers(client, world):
    body = home(client, world, "marie").content.decode()
    assert "Tom LEROY" in body and "Mathématiques" in body


def test_footer_links_to_charter_and_notice(client, world):
    body = home(client, world, "alice").content.decode()
    assert reverse("portal:charter") in body and reverse("portal:notice") in body


def count_home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_home_query_count_is_pinned_and_does_not_grow(client, world, django_assert_max_num_queries):
    world.login(client, "marie")
    client.get(HOME)  # the first request marks the charter as accepted in the session
    # The session and the user: the directory facts and the app switches come from the shared cache.
    with django_assert_max_num_queries(2):
        client.get(HOME)
    before = count_home_queries(client)

    # A third child with classmates and more teachers must not cost more queries.
    third = world.add_pupil("Lina", "Martin", world.class_5b)
    directory.link_guardian(world.people["marie"], third)
    for n in range(5):
        world.add_pupil(f"Camarade{n}", "Roy", world.class_5b)
    directory.assign_teaching(world.people["tom"], world.class_5b, world.maths)
    body = client.get(HOME).content.decode()
    assert "Lina" in body
    assert count_home_queries(client) == before


@pytest.mark.parametrize("name", ["alice", "tom", "ada", "vera", "root"])
def test_home_query_count_for_other_profiles(client, world, name, django_assert_max_num_queries):
    world.login(client, name)
    client.get(HOME)
    # Staff also have their second-factor device read; the admin's console entry asks for the schools.
    with django_assert_max_num_queries(4):
        client.get(HOME)


def test_teacher_home_query_count_does_not_grow_with_classes(client, world):
    world.login(client, "tom")
    client.get(HOME)
    before = count_home_queries(client)
    directory.assign_teaching(world.people["tom"], world.class_5b, world.maths)
    for n in range(5):
        world.add_pupil(f"Eleve{n}", "Roy", world.class_5b)
    body = client.get(HOME).content.decode()
    assert "<strong>5B</strong>" in body and "6 élèves" in body
    assert count_home_queries(client) == before


def test_home_query_count_without_cached_facts_does_not_grow(client, world):
    """After a directory write every fact is read again: that costs a constant number of queries too."""
    world.login(client, "marie")
    client.get(HOME)
    versions.bump_platform()
    cold = count_home_queries(client)
    # Session, user, the viewer's facts, the home facts, app switches, and the selected child's groups
    # (shared by the timetable and homework widgets).
    assert cold <= 13
    for n in range(3):
        child = world.add_pupil(f"Enfant{n}", "Martin", world.class_5b)
        directory.link_guardian(world.people["marie"], child)
    directory.assign_teaching(world.people["tess"], world.class_6a, world.maths)
    directory.assign_teaching(world.people["tom"], world.class_5b, world.maths)
    assert "Enfant2" in client.get(HOME).content.decode()
    versions.bump_platform()
    assert count_home_queries(client) == cold


# --- The cached directory facts are never stale: the next request sees every write ----------------------


def test_new_child_shows_on_the_next_request(client, world):
    marie = world.people["marie"]
    assert "Carl" not in home(client, world, "marie").content.decode()
    directory.link_guardian(marie, world.people["carl"])
    body = client.get(HOME).content.decode()
    assert f"?enfant={world.people['carl'].pk}" in body
    assert "<strong>5B</strong>" in client.get(HOME, {"enfant": world.people["carl"].pk}).content.decode()


def test_revoked_guardianship_takes_effect_on_the_next_request(client, world):
    alice = world.people["alice"]
    assert home(client, world, "marie", enfant=alice.pk).status_code == 200
    directory.link_guardian(world.people["marie"], alice, legal_guardian=False)
    assert client.get(HOME, {"enfant": alice.pk}).status_code == 404
    assert f"?enfant={alice.pk}" not in client.get(HOME).content.decode()


def test_new_class_and_teacher_show_on_the_next_request(client, world):
    alice = world.people["alice"]
    body = home(client, world, "marie", enfant=alice.pk).content.decode()
    assert "Tess MOREAU" not in body and "<strong>5B</strong>" not in body
    directory.assign_teaching(world.people["tess"], world.class_6a, None)
    assert "Tess MOREAU" in client.get(HOME, {"enfant": alice.pk}).content.decode()
    directory.enrol(alice, world.class_5b)
    assert "<strong>5B</strong>" in client.get(HOME, {"enfant": alice.pk}).content.decode()


def test_pupil_widget_follows_enrolments_and_assignments(client, world):
    body = home(client, world, "carl").content.decode()
    assert "Tess MOREAU" in body and "Tom LEROY" not in body
    directory.enrol(world.people["carl"], world.class_6a)
    body = client.get(HOME).content.decode()
    assert "<strong>6A</strong>" in body and "Tom LEROY" in body


def test_new_function_shows_the_console_on_the_next_request(client, world):
    try:
        console = reverse("console:home")
    except Exception:
        pytest.skip("the console is not installed")
    tile = f'href="{console}"'
    assert tile not in home(client, world, "vera").content.decode()
    directory.add_membership(
        world.people["vera"], world.school_a, Profile.PERSONNEL, [Function.VIE_SCOLAIRE, Function.ADML]
    )
    assert tile in client.get(HOME).content.decode()


def test_teacher_widget_follows_new_assignments(client, world):
    assert "<strong>5B</strong>" not in home(client, world, "tom").content.decode()
    directory.assign_teaching(world.people["tom"], world.class_5b, world.maths)
    assert "<strong>5B</strong>" in client.get(HOME).content.decode()


def test_switching_an_app_off_shows_on_the_next_request(client, world):
    directory_link = f'href="{reverse("directory:search")}"'
    assert directory_link in home(client, world, "alice").content.decode()  # switches now cached
    switch_off(world.school_a, Profile.STUDENT)
    assert directory_link not in client.get(HOME).content.decode()
    switch_off(world.school_a, Profile.STUDENT, enabled=True)
    assert directory_link in client.get(HOME).content.decode()


def test_the_child_chosen_on_the_home_page_is_kept_by_the_timetable_and_homework_tiles(client, world):
    leo = world.people["leo"]
    body = home(client, world, "marie", enfant=leo.pk).content.decode()
    assert f'href="/emploi-du-temps/?enfant={leo.pk}"' in body
    assert f'href="/cahier-de-textes/?enfant={leo.pk}"' in body
    # Apps that do not show one child keep their plain address.
    assert 'href="/messagerie/"' in body


def test_staff_give_their_second_factor_before_the_home_page(client, world):
    # The widgets show classes, messages and timelines: rule C6 applies to the home page too.
    world.login(client, "tom", verified=False)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:mfa"))
    world.login(client, "tom")
    assert client.get("/").status_code == 200
    # Families have no second factor to give.
    world.login(client, "marie", verified=False)
    assert client.get("/").status_code == 200
