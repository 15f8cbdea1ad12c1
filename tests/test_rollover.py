"""The yearly rollover (rule C4) in the permission world: a new school year ends last year's access."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.access import policy
from cartable.accounts.models import User
from cartable.console.access import current_classes_of
from cartable.console.views import with_school_details
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import Enrolment, Group, Person, SchoolYear, TeachingAssignment
from cartable.directory.queries import home_facts, taught_groups

pytestmark = pytest.mark.django_db


def fresh_user(world, name):
    """The persona's account as a new request sees it (no facts kept on the object)."""
    return User.objects.get(pk=world.users[name].pk)


def visible(world, name):
    return {p.pk for p in policy.people_visible_to(fresh_user(world, name))}


def ids(world, *names):
    return {world.people[n].pk for n in names}


def sees(world, viewer, target):
    return policy.can_view_person(fresh_user(world, viewer), world.people[target])


def test_school_year_dates_run_from_september_to_the_first_saturday_of_july():
    assert directory.school_year_dates(2027) == (dt.date(2027, 9, 1), dt.date(2028, 7, 1))
    assert directory.school_year_dates(2026) == (dt.date(2026, 9, 1), dt.date(2027, 7, 3))
    assert directory.school_year_dates(2025) == (dt.date(2025, 9, 1), dt.date(2026, 7, 4))


@pytest.mark.parametrize("name", ["2027", "2027-2029", "2028-2027", "27-28", "2027/2028", "abcd-efgh", ""])
def test_malformed_names_are_refused(world, name):
    with pytest.raises(directory.SchoolYearError):
        directory.start_school_year(name)
    assert SchoolYear.objects.get(is_current=True) == world.year


def test_rollover_creates_the_year_and_makes_it_the_only_current_one(world):
    rollover = directory.start_school_year("2027-2028")
    assert rollover.created and rollover.changed and rollover.previous == world.year
    year = SchoolYear.objects.get(is_current=True)
    assert (year.name, year.start, year.end) == ("2027-2028", dt.date(2027, 9, 1), dt.date(2028, 7, 1))
    world.year.refresh_from_db()
    assert not world.year.is_current


def test_rollover_keeps_history_and_accounts(world):
    enrolments, assignments = Enrolment.objects.count(), TeachingAssignment.objects.count()
    groups, people = Group.objects.count(), Person.objects.count()
    directory.start_school_year("2027-2028")
    assert Enrolment.objects.filter(student=world.people["alice"], group=world.class_6a).exists()
    assert TeachingAssignment.objects.filter(teacher=world.people["tom"], group=world.class_6a).exists()
    assert (Enrolment.objects.count(), TeachingAssignment.objects.count()) == (enrolments, assignments)
    assert (Group.objects.count(), Person.objects.count()) == (groups, people)
    assert Group.objects.get(pk=world.class_6a.pk).year == world.year
    assert all(user.is_active for user in User.objects.all())


def test_running_it_twice_changes_nothing(world):
    directory.start_school_year("2027-2028")
    version = versions.current()
    with CaptureQueriesContext(connection) as queries:
        rollover = directory.start_school_year("2027-2028")
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert versions.current() == version
    assert not rollover.changed and not rollover.created
    assert SchoolYear.objects.count() == 2


def test_going_back_to_an_older_year_is_refused(world):
    directory.start_school_year("2027-2028")
    with pytest.raises(directory.SchoolYearError):
        directory.start_school_year("2026-2027")
    with pytest.raises(directory.SchoolYearError):
        directory.start_school_year("2025-2026")
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"


def test_a_year_prepared_in_advance_becomes_current(world):
    prepared = SchoolYear.objects.create(name="2027-2028", start=dt.date(2027, 9, 2), end=dt.date(2028, 7, 4))
    rollover = directory.start_school_year("2027-2028")
    assert rollover.changed and not rollover.created and rollover.year.pk == prepared.pk
    assert SchoolYear.objects.get(is_current=True).pk == prepared.pk


def test_rollover_ends_access_through_last_years_classes(world):
    assert sees(world, "tom", "alice") and sees(world, "alice", "tom")
    assert ids(world, "alice", "marie", "marc") <= visible(world, "tom")
    directory.start_school_year("2027-2028")
    # Tom taught 6A last year: no longer its pupils nor their families.
    assert not sees(world, "tom", "alice")
    assert not visible(world, "tom") & ids(world, "alice", "bob", "marie", "marc", "beatrice")
    assert not policy.teaches(fresh_user(world, "tom"), world.class_6a)
    assert not policy.teaches(fresh_user(world, "tom"), world.people["alice"])
    # Alice and her parents no longer see last year's teacher.
    assert not sees(world, "alice", "tom")
    assert not visible(world, "marie") & ids(world, "tom", "xavier")
    # Guardianship and memberships are not yearly.
    assert ids(world, "alice", "leo", "marc", "vera", "paul") <= visible(world, "marie")
    assert sees(world, "marie", "alice") and sees(world, "marie", "leo")
    assert ids(world, "vera", "paul") <= visible(world, "alice")
    # School-wide staff still see their whole school; colleagues still see each other.
    assert ids(world, "alice", "tom", "marie") <= visible(world, "paul")
    assert sees(world, "tom", "tess")


def test_new_years_class_restores_access(world):
    directory.start_school_year("2027-2028")
    year = SchoolYear.objects.get(is_current=True)
    new_6a = Group.objects.create(school=world.school_a, year=year, name="6A", level="6e")
    directory.enrol(world.people["alice"], new_6a)
    directory.assign_teaching(world.people["tom"], new_6a, world.maths)
    assert sees(world, "tom", "alice") and sees(world, "alice", "tom")
    assert ids(world, "alice", "marie", "marc") <= visible(world, "tom")
    assert not visible(world, "tom") & ids(world, "bob", "beatrice")  # Bob is not in the new 6A
    assert ids(world, "tom") <= visible(world, "marie")
    assert policy.teaches(fresh_user(world, "tom"), world.people["alice"])
    assert not policy.teaches(fresh_user(world, "tom"), world.people["bob"])


def test_home_page_and_console_show_only_the_new_years_classes(world):
    directory.start_school_year("2027-2028")
    assert home_facts(fresh_user(world, "alice")).me.classes == ()
    assert all(child.classes == () for child in home_facts(fresh_user(world, "marie")).children)
    assert taught_groups(world.people["tom"].pk) == ()
    assert not current_classes_of(world.school_a).exists()

    year = SchoolYear.objects.get(is_current=True)
    new_6a = Group.objects.create(school=world.school_a, year=year, name="6A", level="6e")
    directory.enrol(world.people["alice"], new_6a)
    directory.assign_teaching(world.people["tom"], new_6a, world.maths)
    alice = home_facts(fresh_user(world, "alice")).me
    assert [card.pk for card in alice.classes] == [new_6a.pk]
    assert [member.teacher.pk for member in alice.classes[0].team] == [world.people["tom"].pk]
    assert [group.pk for group in taught_groups(world.people["tom"].pk)] == [new_6a.pk]
    assert list(current_classes_of(world.school_a)) == [new_6a]
    people = with_school_details(Person.objects.filter(pk=world.people["alice"].pk), world.school_a)
    assert [e.group_id for e in people[0].current_classes] == [new_6a.pk]


def test_command_rolls_over_once_and_refuses_bad_names(world, capsys):
    call_command("start_school_year", "2027-2028")
    assert "2027-2028" in capsys.readouterr().out
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"
    call_command("start_school_year", "2027-2028")
    assert "déjà" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("start_school_year", "2027-2029")


# --- The console page for the platform admin (ADMC) ------------------------------------------------------

SCHOOL_YEAR_URL = "/admin-ecole/annee-scolaire"


def test_platform_admin_starts_the_new_year_from_the_console(client, world):
    world.login(client, "root")
    page = client.get(SCHOOL_YEAR_URL)
    assert page.status_code == 200
    assert 'value="2027-2028"' in page.content.decode()  # the next year is suggested
    response = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028"}, follow=True)
    assert response.redirect_chain[-1][0] == SCHOOL_YEAR_URL
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"
    assert not sees(world, "tom", "alice")
    again = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028"}, follow=True)
    assert again.status_code == 200
    assert SchoolYear.objects.count() == 2


@pytest.mark.parametrize("name", ["2027-2029", "2025-2026", "n'importe quoi"])
def test_console_refuses_bad_or_older_years(client, world, name):
    world.login(client, "root")
    response = client.post(SCHOOL_YEAR_URL, {"name": name})
    assert response.status_code == 200
    assert 'class="field-errors"' in response.content.decode()
    assert SchoolYear.objects.get(is_current=True) == world.year


@pytest.mark.parametrize("name", ["ada", "bruno", "paul", "tom"])
def test_only_the_platform_admin_may_roll_over(client, world, name):
    world.login(client, name)
    assert client.post(SCHOOL_YEAR_URL, {"name": "2027-2028"}).status_code == 404
    assert SchoolYear.objects.get(is_current=True) == world.year


def test_platform_admin_needs_the_second_factor(client, world):
    world.login(client, "root", verified=False)
    response = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028"})
    assert response.status_code == 302
    assert SchoolYear.objects.get(is_current=True) == world.year
