"""The yearly rollover (rule C4) in the permission world: a new school year ends last year's access."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cartable.access import policy
from cartable.accounts.models import User
from cartable.console.access import current_classes_of
from cartable.console.views import with_school_details
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import (
    Enrolment,
    Group,
    Person,
    SchoolYear,
    SchoolYearChange,
    TeachingAssignment,
)
from cartable.directory.queries import home_facts, taught_groups
from cartable.feeds.models import FeedImport, ImportJob
from cartable.lib.errors import Refused

pytestmark = pytest.mark.django_db

# Early July 2027: 2027-2028 starts within three months, 2028-2029 does not.
SUMMER = dt.datetime(2027, 7, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _summer():
    with time_machine.travel(SUMMER):
        yield


def visible(world, name):
    return {p.pk for p in policy.people_visible_to(world.fresh_user(name))}


def ids(world, *names):
    return {world.people[n].pk for n in names}


def sees(world, viewer, target):
    return policy.can_view_person(world.fresh_user(viewer), world.people[target])


def test_school_year_dates_run_from_september_to_the_first_saturday_of_july():
    assert directory.school_year_dates(2027) == (dt.date(2027, 9, 1), dt.date(2028, 7, 1))
    assert directory.school_year_dates(2026) == (dt.date(2026, 9, 1), dt.date(2027, 7, 3))
    assert directory.school_year_dates(2025) == (dt.date(2025, 9, 1), dt.date(2026, 7, 4))


@pytest.mark.parametrize("name", ["2027", "2027-2029", "2028-2027", "27-28", "2027/2028", "abcd-efgh", ""])
def test_malformed_names_are_refused(world, name):
    with pytest.raises(Refused):
        directory.start_school_year(None, name)
    assert SchoolYear.objects.get(is_current=True) == world.year


def test_rollover_creates_the_year_and_makes_it_the_only_current_one(world):
    rollover = directory.start_school_year(None, "2027-2028")
    assert rollover.created and rollover.changed and rollover.previous == world.year
    year = SchoolYear.objects.get(is_current=True)
    assert (year.name, year.start, year.end) == ("2027-2028", dt.date(2027, 9, 1), dt.date(2028, 7, 1))
    world.year.refresh_from_db()
    assert not world.year.is_current


def test_rollover_keeps_history_and_accounts(world):
    enrolments, assignments = Enrolment.objects.count(), TeachingAssignment.objects.count()
    groups, people = Group.objects.count(), Person.objects.count()
    directory.start_school_year(None, "2027-2028")
    assert Enrolment.objects.filter(student=world.people["alice"], group=world.class_6a).exists()
    assert TeachingAssignment.objects.filter(teacher=world.people["tom"], group=world.class_6a).exists()
    assert (Enrolment.objects.count(), TeachingAssignment.objects.count()) == (enrolments, assignments)
    assert (Group.objects.count(), Person.objects.count()) == (groups, people)
    assert Group.objects.get(pk=world.class_6a.pk).year == world.year
    assert all(user.is_active for user in User.objects.all())


def test_running_it_twice_changes_nothing(world):
    directory.start_school_year(None, "2027-2028")
    version = versions.current()
    with CaptureQueriesContext(connection) as queries:
        rollover = directory.start_school_year(None, "2027-2028")
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert versions.current() == version
    assert not rollover.changed and not rollover.created
    assert SchoolYear.objects.count() == 2


def test_going_back_to_an_older_year_is_refused(world):
    directory.start_school_year(None, "2027-2028")
    with pytest.raises(Refused):
        directory.start_school_year(None, "2026-2027")
    with pytest.raises(Refused):
        directory.start_school_year(None, "2025-2026")
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"


def test_a_year_prepared_in_advance_becomes_current(world):
    prepared = SchoolYear.objects.create(name="2027-2028", start=dt.date(2027, 9, 2), end=dt.date(2028, 7, 4))
    rollover = directory.start_school_year(None, "2027-2028")
    assert rollover.changed and not rollover.created and rollover.year.pk == prepared.pk
    assert SchoolYear.objects.get(is_current=True).pk == prepared.pk


def test_rollover_ends_access_through_last_years_classes(world):
    assert sees(world, "tom", "alice") and sees(world, "alice", "tom")
    assert ids(world, "alice", "marie", "marc") <= visible(world, "tom")
    directory.start_school_year(None, "2027-2028")
    # Tom taught 6A last year: no longer its pupils nor their families.
    assert not sees(world, "tom", "alice")
    assert not visible(world, "tom") & ids(world, "alice", "bob", "marie", "marc", "beatrice")
    assert not policy.teaches(world.fresh_user("tom"), world.class_6a)
    assert not policy.teaches(world.fresh_user("tom"), world.people["alice"])
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
    directory.start_school_year(None, "2027-2028")
    year = SchoolYear.objects.get(is_current=True)
    new_6a = Group.objects.create(school=world.school_a, year=year, name="6A", level="6e")
    directory.enrol(world.people["alice"], new_6a)
    directory.assign_teaching(world.people["tom"], new_6a, world.maths)
    assert sees(world, "tom", "alice") and sees(world, "alice", "tom")
    assert ids(world, "alice", "marie", "marc") <= visible(world, "tom")
    assert not visible(world, "tom") & ids(world, "bob", "beatrice")  # Bob is not in the new 6A
    assert ids(world, "tom") <= visible(world, "marie")
    assert policy.teaches(world.fresh_user("tom"), world.people["alice"])
    assert not policy.teaches(world.fresh_user("tom"), world.people["bob"])


def test_home_page_and_console_show_only_the_new_years_classes(world):
    directory.start_school_year(None, "2027-2028")
    assert home_facts(world.fresh_user("alice")).me.classes == ()
    assert all(child.classes == () for child in home_facts(world.fresh_user("marie")).children)
    assert taught_groups(world.people["tom"].pk) == ()
    assert not current_classes_of(world.school_a).exists()

    year = SchoolYear.objects.get(is_current=True)
    new_6a = Group.objects.create(school=world.school_a, year=year, name="6A", level="6e")
    directory.enrol(world.people["alice"], new_6a)
    directory.assign_teaching(world.people["tom"], new_6a, world.maths)
    alice = home_facts(world.fresh_user("alice")).me
    assert [card.pk for card in alice.classes] == [new_6a.pk]
    assert [member.teacher.pk for member in alice.classes[0].team] == [world.people["tom"].pk]
    assert [group.pk for group in taught_groups(world.people["tom"].pk)] == [new_6a.pk]
    assert list(current_classes_of(world.school_a)) == [new_6a]
    people = with_school_details(Person.objects.filter(pk=world.people["alice"].pk), world.school_a)
    assert [e.group_id for e in people[0].current_classes] == [new_6a.pk]


def test_command_rolls_over_once_and_refuses_bad_names(world, capsys):
    call_command("start_school_year", "2027-2028", interactive=False)
    assert "2027-2028" in capsys.readouterr().out
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"
    call_command("start_school_year", "2027-2028", interactive=False)
    assert "déjà" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("start_school_year", "2027-2029", interactive=False)


# --- The console page for the platform admin (ADMC) ------------------------------------------------------

SCHOOL_YEAR_URL = "/admin-ecole/annee-scolaire"
UNDO_URL = "/admin-ecole/annee-scolaire/annuler"


def test_platform_admin_starts_the_new_year_from_the_console(client, world):
    world.login(client, "root")
    page = client.get(SCHOOL_YEAR_URL)
    assert page.status_code == 200
    assert 'value="2027-2028"' in page.content.decode()  # the next year is suggested
    confirm = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028"})
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    assert SchoolYear.objects.get(is_current=True) == world.year  # nothing yet
    response = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028", "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == SCHOOL_YEAR_URL
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"
    assert not sees(world, "tom", "alice")
    again = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028", "confirm": "1"}, follow=True)
    assert again.status_code == 200 and "déjà l’année en cours" in again.content.decode()
    assert SchoolYear.objects.count() == 2


@pytest.mark.parametrize("name", ["2027-2029", "2025-2026", "n'importe quoi"])
def test_console_refuses_bad_or_older_years(client, world, name):
    world.login(client, "root")
    response = client.post(SCHOOL_YEAR_URL, {"name": name, "confirm": "1"})
    assert response.status_code == 200
    assert 'class="field-errors"' in response.content.decode()
    assert SchoolYear.objects.get(is_current=True) == world.year


@pytest.mark.parametrize("name", ["ada", "bruno", "paul", "tom"])
def test_only_the_platform_admin_may_roll_over(client, world, name):
    world.login(client, name)
    assert client.post(SCHOOL_YEAR_URL, {"name": "2027-2028", "confirm": "1"}).status_code == 404
    assert client.post(UNDO_URL).status_code == 404
    assert SchoolYear.objects.get(is_current=True) == world.year


def test_platform_admin_needs_the_second_factor(client, world):
    world.login(client, "root", verified=False)
    response = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028", "confirm": "1"})
    assert response.status_code == 302
    assert SchoolYear.objects.get(is_current=True) == world.year


# --- Confirmation with the consequences, a year too far ahead, undo (issue 10, item 16) ------------------


def test_plan_counts_what_the_new_year_closes(world):
    plan = directory.plan_school_year("2027-2028")
    assert plan.previous == world.year and not plan.already_current and not plan.too_far
    # 6A, 5B (school A) and 6C (school B); Alice, Bob, Carl, Léo, Zoé; Tom, Tess, Xavier.
    assert (plan.classes, plan.groups, plan.enrolments, plan.assignments) == (3, 0, 5, 3)
    Group.objects.create(school=world.school_a, year=world.year, name="6A-ANG", kind="teaching")
    assert directory.plan_school_year("2027-2028").groups == 1
    assert SchoolYear.objects.count() == 1  # planning writes nothing


def test_console_confirmation_gives_the_numbers(client, world):
    world.login(client, "root")
    page = client.post(SCHOOL_YEAR_URL, {"name": "2027-2028"}).content.decode()
    counts = page.split('id="rollover-counts">')[1].split("</ul>")[0]
    assert "3 classes" in counts and "0 groupe" in counts
    assert "5 inscriptions d’élèves" in counts and "3 services d’enseignement" in counts
    assert SchoolYear.objects.get(is_current=True) == world.year


def test_a_year_more_than_three_months_ahead_needs_forcing(world):
    assert months_ahead_refused("2028-2029")
    rollover = directory.start_school_year(world.users["root"], "2028-2029", force=True)
    assert rollover.changed
    change = SchoolYearChange.objects.get()
    assert (change.year_name, change.forced, change.by, change.previous) == (
        "2028-2029",
        True,
        world.users["root"],
        world.year,
    )


def months_ahead_refused(name: str) -> bool:
    try:
        directory.start_school_year(None, name)
    except Refused as error:
        return "plus de 3 mois" in str(error)
    return False


def test_three_months_ahead_is_measured_from_today(world):
    with time_machine.travel(dt.datetime(2027, 5, 31, 12, 0, tzinfo=dt.UTC)):
        assert months_ahead_refused("2027-2028")  # 1 September is 3 months and a day away
    with time_machine.travel(dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)):
        assert directory.start_school_year(None, "2027-2028").changed


def test_console_refuses_a_far_year_unless_the_box_is_ticked(client, world):
    world.login(client, "root")
    response = client.post(SCHOOL_YEAR_URL, {"name": "2028-2029", "confirm": "1"})
    assert "dans plus de 3 mois" in response.content.decode()
    assert SchoolYear.objects.get(is_current=True) == world.year
    confirm = client.post(SCHOOL_YEAR_URL, {"name": "2028-2029", "force": "on"}).content.decode()
    assert "dans plus de trois mois" in confirm and 'name="force" value="on"' in confirm
    client.post(SCHOOL_YEAR_URL, {"name": "2028-2029", "force": "on", "confirm": "1"})
    assert SchoolYear.objects.get(is_current=True).name == "2028-2029"


def test_command_asks_for_confirmation_and_refuses_a_far_year_unless_forced(world, capsys, monkeypatch):
    answers = iter(["non", "oui"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    call_command("start_school_year", "2027-2028")
    out = capsys.readouterr().out
    assert "3 classe(s), 0 groupe(s), 5 inscription(s) d'élèves, 3 service(s) d'enseignement" in out
    assert "Rien n'a changé" in out and SchoolYear.objects.get(is_current=True) == world.year
    call_command("start_school_year", "2027-2028")
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"
    with pytest.raises(CommandError, match="--force"):
        call_command("start_school_year", "2029-2030", interactive=False)
    call_command("start_school_year", "2029-2030", force=True, interactive=False)
    assert SchoolYear.objects.get(is_current=True).name == "2029-2030"


def test_undo_goes_back_until_the_first_import_of_the_new_year(world, capsys):
    call_command("start_school_year", "2027-2028", interactive=False)
    assert not sees(world, "tom", "alice")
    call_command("start_school_year", undo=True, interactive=False)
    assert "Retour à l'année 2026-2027" in capsys.readouterr().out
    assert SchoolYear.objects.get(is_current=True) == world.year
    assert sees(world, "tom", "alice")  # last year's classes give access again
    # The year the rollover created, empty, is gone again; the history keeps the change, undone.
    assert not SchoolYear.objects.filter(name="2027-2028").exists()
    assert SchoolYearChange.objects.get().undone_at is not None
    with pytest.raises(CommandError, match="Aucun changement"):
        call_command("start_school_year", undo=True, interactive=False)

    # Once a feed has been imported into the new year, there is no going back.
    call_command("start_school_year", "2027-2028", interactive=False)
    FeedImport.objects.create(
        source=FeedImport.Source.AAF, digest="x", year=SchoolYear.objects.get(is_current=True)
    )
    with pytest.raises(CommandError, match="ne peut plus être annulé"):
        call_command("start_school_year", undo=True, interactive=False)
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"


def test_a_console_spreadsheet_import_since_the_rollover_also_ends_the_undo(world):
    directory.start_school_year(None, "2027-2028")
    ImportJob.objects.create(
        school=world.school_a, kind=ImportJob.Kind.PUPILS, filename="eleves.csv", started_at=timezone.now()
    )
    with pytest.raises(Refused):
        directory.undo_school_year(None)


def test_a_year_prepared_in_advance_stays_after_an_undo(world):
    SchoolYear.objects.create(name="2027-2028", start=dt.date(2027, 9, 2), end=dt.date(2028, 7, 4))
    directory.start_school_year(None, "2027-2028")
    directory.undo_school_year(None)
    assert SchoolYear.objects.filter(name="2027-2028", is_current=False).exists()
    assert SchoolYear.objects.get(is_current=True) == world.year


def test_platform_admin_undoes_from_the_console(client, world):
    world.login(client, "root")
    assert "Aucun changement d’année à annuler" in client.get(UNDO_URL).content.decode()
    client.post(SCHOOL_YEAR_URL, {"name": "2027-2028", "confirm": "1"})
    page = client.get(SCHOOL_YEAR_URL).content.decode()
    assert UNDO_URL in page and "root" in page
    confirm = client.get(UNDO_URL).content.decode()
    assert "L’année 2026-2027 redeviendra l’année en cours" in confirm
    assert SchoolYear.objects.get(is_current=True).name == "2027-2028"  # a GET changes nothing
    response = client.post(UNDO_URL, follow=True)
    assert "Retour à l’année 2026-2027" in response.content.decode()
    assert SchoolYear.objects.get(is_current=True) == world.year
    assert SchoolYearChange.objects.get().undone_by == world.users["root"]
    # Nothing left to undo: a POST says so and changes nothing.
    again = client.post(UNDO_URL, follow=True).content.decode()
    assert "Aucun changement d’année à annuler" in again
    assert SchoolYear.objects.get(is_current=True) == world.year
