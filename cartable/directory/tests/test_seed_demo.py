"""The demo data: structure, demo accounts, determinism, idempotence and bulk writes."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from cartable.accounts.actions import check_activation_code
from cartable.accounts.models import Charter, User
from cartable.directory import demo
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
    SchoolYear,
    TeachingAssignment,
)
from conftest import written_once_for_the_module

pytestmark = pytest.mark.django_db


def logins() -> list[str]:
    return list(User.objects.order_by("username").values_list("username", flat=True))


@pytest.fixture(scope="module")
def _demo_of_the_module(django_db_setup, django_db_blocker):
    with written_once_for_the_module(django_db_blocker, lambda: call_command("seed_demo", stdout=StringIO())):
        yield


@pytest.fixture
def demo_data(_demo_of_the_module, db):
    """The default demo, seeded once for the module; each test's writes are rolled back with its savepoint."""


def test_default_demo_has_an_ecole_and_a_college(demo_data):
    ecole = School.objects.get(kind=SchoolKind.PRIMARY)
    college = School.objects.get(kind=SchoolKind.SECONDARY)
    ecole.full_clean()  # raises on an invalid UAI
    college.full_clean()
    assert not ecole.mfa_required_for_staff
    assert college.mfa_required_for_staff
    ecole_levels = list(Group.objects.filter(school=ecole).values_list("level", flat=True))
    assert ecole_levels.count("PS") == 1 and ecole_levels.count("CM2") == 1 and len(ecole_levels) == 8
    college_classes = set(Group.objects.filter(school=college).values_list("name", flat=True))
    assert college_classes == {f"{n}{letter}" for n in "6543" for letter in "AB"}
    assert college.subjects.count() == 10
    year = SchoolYear.objects.get(is_current=True)
    assert (year.name, year.start.isoformat(), year.end.isoformat()) == (
        "2026-2027",
        "2026-09-01",
        "2027-07-04",
    )
    assert Charter.objects.get(version=1).body.count("\n\n") >= 8


def test_every_pupil_is_in_one_class_at_the_right_age_with_a_legal_guardian(demo_data):
    pupils = Person.objects.filter(memberships__profile=Profile.STUDENT)
    assert 15 * 20 <= pupils.count() <= 17 * 20
    assert Enrolment.objects.count() == pupils.count()
    assert not pupils.exclude(enrolments__isnull=False).exists()
    born = dict(demo.PRIMARY_LEVELS + demo.SECONDARY_LEVELS)
    for enrolment in Enrolment.objects.select_related("student", "group"):
        birth_date = enrolment.student.birth_date
        assert birth_date is not None
        assert birth_date.year in (
            born[enrolment.group.level],
            born[enrolment.group.level] - 1,
        )
    without_guardian = pupils.exclude(guardians__legal_guardian=True)
    assert not without_guardian.exists()
    two_guardians = sum(1 for p in pupils if p.guardians.filter(legal_guardian=True).count() == 2)
    assert two_guardians > pupils.count() // 2


def test_families_share_guardians_and_one_spans_both_schools(demo_data):
    children_per_relative: dict[int, set[int]] = {}
    for relative_id, student_id in Guardianship.objects.values_list("relative_id", "student_id"):
        children_per_relative.setdefault(relative_id, set()).add(student_id)
    assert any(len(children) >= 2 for children in children_per_relative.values())
    two_schools = Membership.objects.filter(profile=Profile.RELATIVE).values("person").distinct()
    across = [p["person"] for p in two_schools if Membership.objects.filter(person=p["person"]).count() == 2]
    assert across


def test_staff_functions_and_teaching(demo_data):
    college = School.objects.get(kind=SchoolKind.SECONDARY)
    ecole = School.objects.get(kind=SchoolKind.PRIMARY)

    def holders(school, function):
        return [m for m in Membership.objects.filter(school=school) if function in m.functions]

    for function in (Function.DIRECTION, Function.VIE_SCOLAIRE, Function.DOCUMENTALIST, Function.ADML):
        assert holders(college, function), function
    assert holders(ecole, Function.DIRECTION) and holders(ecole, Function.ADML)
    # The école's ADML is not its director.
    assert {m.person_id for m in holders(ecole, Function.ADML)}.isdisjoint(
        {m.person_id for m in holders(ecole, Function.DIRECTION)}
    )
    # One teacher per class at the école; every class and subject of the collège is taught.
    for group in Group.objects.filter(school=ecole):
        assert TeachingAssignment.objects.filter(group=group).count() == 1
    for group in Group.objects.filter(school=college):
        assert TeachingAssignment.objects.filter(group=group).count() == 10
    assert User.objects.filter(is_superuser=True).count() == 1


def test_demo_accounts_log_in_with_the_demo_password(demo_data):
    accounts = demo.demo_accounts()
    ranks = [account.rank for account in accounts]
    assert ranks == list(range(10))  # guardian, 2 pupils, 2 teachers, CPE, principal, 2 ADML, ADMC
    for account in accounts:
        assert authenticate(username=account.login, password=demo.DEMO_PASSWORD) is not None, account
    guardian = User.objects.get(username=accounts[0].login).person
    schools = {g.student.memberships.get().school.kind for g in guardian.guardianships.all()}
    assert schools == {SchoolKind.PRIMARY, SchoolKind.SECONDARY}
    # Nobody else can log in: the other accounts wait for an activation code.
    usable = [u for u in User.objects.all() if u.has_usable_password()]
    assert len(usable) == 10


def test_activation_demo_account_takes_the_demo_code(demo_data):
    user = demo.activation_demo_account()
    assert user is not None and not user.is_activated
    assert check_activation_code(user, demo.ACTIVATION_DEMO_CODE)
    assert check_activation_code(user, demo.ACTIVATION_DEMO_CODE.lower().replace("-", " "))
    assert user.person.guardianships.count() == 2  # the other parent of the demo children


def test_demo_logins_prints_the_table_the_code_and_the_second_factor_rule(demo_data):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for account in demo.demo_accounts():
        assert account.login in text
    assert demo.DEMO_PASSWORD in text
    assert demo.ACTIVATION_DEMO_CODE in text and "http://127.0.0.1:8000/auth/activate" in text
    assert "TOTP" in text and "sans second facteur" in text


def test_if_empty_keeps_existing_data_and_plain_run_refuses(demo_data):
    before = logins()
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert logins() == before
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
