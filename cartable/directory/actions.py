"""Every write to the directory goes through here (house rule 1).

Each write bumps the directory version, which the cached directory facts are keyed with
(cartable.directory.versions): the next request reads the new facts.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cartable.accounts.models import User
from cartable.accounts.usernames import unique_username
from cartable.directory import versions
from cartable.directory.models import (
    Enrolment,
    Group,
    Guardianship,
    Membership,
    Person,
    School,
    Subject,
    TeachingAssignment,
)


@dataclass
class NewPerson:
    first_name: str
    last_name: str
    school: School
    profile: str
    functions: list[str] = field(default_factory=list)
    birth_date: date | None = None
    email: str = ""
    groups: list[Group] = field(default_factory=list)


def username_taken(login: str) -> bool:
    return User.objects.filter(username=login).exists()


@transaction.atomic
def create_person(new: NewPerson) -> Person:
    """A person with an account that has no password yet: it is activated with a code from a letter."""
    login = unique_username(new.first_name, new.last_name, username_taken)
    user = User.objects.create(username=login, email=new.email, password=make_password(None))
    person = Person.objects.create(
        user=user, first_name=new.first_name, last_name=new.last_name, birth_date=new.birth_date
    )
    Membership.objects.create(person=person, school=new.school, profile=new.profile, functions=new.functions)
    for group in new.groups:
        enrol(person, group)
    versions.bump()
    return person


def add_membership(
    person: Person, school: School, profile: str, functions: list[str] | None = None
) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        person=person, school=school, profile=profile, defaults={"functions": functions or []}
    )
    versions.bump()
    return membership


def enrol(student: Person, group: Group) -> Enrolment:
    enrolment, _created = Enrolment.objects.get_or_create(student=student, group=group)
    versions.bump()
    return enrolment


def assign_teaching(teacher: Person, group: Group, subject: Subject | None) -> TeachingAssignment:
    assignment, _created = TeachingAssignment.objects.get_or_create(
        teacher=teacher, group=group, subject=subject
    )
    versions.bump()
    return assignment


def link_guardian(
    relative: Person, student: Person, *, legal_guardian: bool = True, relationship: str = ""
) -> Guardianship:
    guardianship, _created = Guardianship.objects.update_or_create(
        relative=relative,
        student=student,
        defaults={"legal_guardian": legal_guardian, "relationship": relationship},
    )
    versions.bump()
    return guardianship
