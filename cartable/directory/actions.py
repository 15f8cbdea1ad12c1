"""Every write to the directory goes through here (house rule 1), or, for writes in bulk (feeds, imports),
through cartable.directory.bulk.

Each write bumps the version keys of the people and schools it touched, which the cached directory facts
are kept under (cartable.directory.versions): the next request reads the new facts.
"""

import calendar
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.accounts.models import User
from cartable.accounts.usernames import unique_username
from cartable.directory import bulk, versions
from cartable.directory.models import (
    Enrolment,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    School,
    SchoolYear,
    SchoolYearChange,
    Subject,
    TeachingAssignment,
)
from cartable.lib import lifecycle
from cartable.lib.errors import Refused

# Rule C5: within 3 months.
MAX_PURGE_DAYS = 92


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
    versions.bump_people([person.pk], school_ids=[new.school.pk])
    return person


def add_membership(
    person: Person, school: School, profile: str, functions: list[str] | None = None
) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        person=person, school=school, profile=profile, defaults={"functions": functions or []}
    )
    versions.bump_people([person.pk], school_ids=[school.pk])
    return membership


def enrol(student: Person, group: Group) -> Enrolment:
    enrolment, _created = Enrolment.objects.get_or_create(student=student, group=group)
    versions.bump_people([student.pk], school_ids=[group.school_id])
    return enrolment


def assign_teaching(teacher: Person, group: Group, subject: Subject | None) -> TeachingAssignment:
    assignment, _created = TeachingAssignment.objects.get_or_create(
        teacher=teacher, group=group, subject=subject
    )
    versions.bump_people([teacher.pk], school_ids=[group.school_id])
    return assignment


def link_guardian(
    relative: Person, student: Person, *, legal_guardian: bool = True, relationship: str = ""
) -> Guardianship:
    guardianship, _created = Guardianship.objects.update_or_create(
        relative=relative,
        student=student,
        defaults={"legal_guardian": legal_guardian, "relationship": relationship},
    )
    versions.bump_people([relative.pk, student.pk])
    return guardianship


def unlink_guardian(relative: Person, student: Person) -> bool:
    """The relative is no longer responsible for the pupil; True when there was such a link."""
    deleted, _by_model = Guardianship.objects.filter(relative=relative, student=student).delete()
    if deleted:
        versions.bump_people([relative.pk, student.pk])
    return bool(deleted)


# -- corrections made by a school's admin (console) ------------------------------------------------------


@dataclass(frozen=True)
class PersonDetails:
    """What the console may correct about a person: their names, birth date and e-mail address."""

    first_name: str
    last_name: str
    birth_date: date | None
    email: str


@transaction.atomic
def update_person(person: Person, details: PersonDetails) -> list[str]:
    """Write the details that differ; returns the names of the fields changed ("first_name", "email"…)."""
    changed = [
        name
        for name in ("first_name", "last_name", "birth_date")
        if getattr(person, name) != getattr(details, name)
    ]
    if changed:
        for name in changed:
            setattr(person, name, getattr(details, name))
        person.save(update_fields=changed)
    user = person.user
    if user.email != details.email:
        user.email = details.email
        user.save(update_fields=["email"])
        changed.append("email")
    if changed:
        versions.bump_people_everywhere([person.pk])
    return changed


@transaction.atomic
def move_to_class(student: Person, school: School, group: Group | None) -> list[Group]:
    """The pupil's class in `school` this year becomes `group` (None: no class); their other classes of
    this school and year are left. Returns the classes left. Groups (options, languages) are not touched."""
    if group is not None and (group.school_id != school.pk or not group.is_class):
        raise ValueError(group)
    left = [
        enrolment.group
        for enrolment in Enrolment.objects.filter(
            student=student, group__school=school, group__kind=GroupKind.CLASS, group__year__is_current=True
        ).select_related("group")
        if group is None or enrolment.group_id != group.pk
    ]
    Enrolment.objects.filter(student=student, group__in=left).delete()
    if group is not None:
        Enrolment.objects.get_or_create(student=student, group=group)
    versions.bump_people([student.pk], school_ids=[school.pk])
    return left


# -- account lifecycle (rule C5) ---------------------------------------------------------------------------

ANCIEN_FIRST_NAME = "Ancien"
ANCIEN_LAST_NAME = "compte"


def deactivate_people(person_ids: Iterable[int], now: datetime) -> int:
    """People who left: they can no longer log in, their sessions end at once, pickers stop showing them
    (cartable.directory.bulk.Provisioning.deactivate). Returns how many were deactivated."""
    with bulk.provisioning() as directory:
        return directory.deactivate(person_ids, now)


def reactivate_people(person_ids: Iterable[int]) -> int:
    """People who come back before the purge get their account and data back (as an import does)."""
    with bulk.provisioning() as directory:
        return directory.reactivate(person_ids)


@dataclass
class PurgeResult:
    anonymized: int = 0
    deleted: int = 0


@transaction.atomic
def set_keep_contributions(person: Person, keep: bool) -> bool:
    """The person's choice for when their account closes: their messages and posts stay under "Ancien
    compte" (keep) or go with the account (they object). True when it changed."""
    changed = (
        Person.objects.filter(pk=person.pk).exclude(keep_contributions=keep).update(keep_contributions=keep)
    )
    if changed:
        person.keep_contributions = keep
        versions.bump_people([person.pk])
    return bool(changed)


@transaction.atomic
def purge_expired_accounts(now: datetime, days: int | None = None) -> PurgeResult:
    """Delete the personal data of people deactivated more than `days` days ago (at most 92: rule C5).

    Contributions stay attributed to "Ancien compte" unless the person objected at closure, in which
    case the person and the account are deleted entirely.
    """
    limit = min(settings.ACCOUNT_PURGE_DAYS if days is None else days, MAX_PURGE_DAYS)
    expired = Person.objects.filter(left_at__isnull=False, left_at__lt=now - timedelta(days=limit))
    result = PurgeResult()
    # Read before the links go: who is shown beside them, and where.
    around, schools = _around(list(expired.values_list("pk", flat=True)))
    objected = list(expired.filter(keep_contributions=False).values_list("user_id", flat=True))
    if objected:
        # The person goes with the account (cascade), and with them every link and trace.
        User.objects.filter(pk__in=objected).delete()
        result.deleted = len(objected)
    kept = list(
        expired.filter(keep_contributions=True).exclude(
            first_name=ANCIEN_FIRST_NAME, last_name=ANCIEN_LAST_NAME, aaf_jointure=""
        )
    )
    if kept:
        person_ids = [p.pk for p in kept]
        user_ids = [p.user_id for p in kept]
        # Every app, the directory first, forgets what it keeps about them (cartable.lib.lifecycle).
        lifecycle.forget(lifecycle.Forgetting(person_ids=person_ids, user_ids=user_ids))
        Person.objects.filter(pk__in=person_ids).update(
            first_name=ANCIEN_FIRST_NAME, last_name=ANCIEN_LAST_NAME, birth_date=None, ine="", aaf_jointure=""
        )
        unusable = make_password(None)
        for person in kept:
            User.objects.filter(pk=person.user_id).update(
                username=f"ancien-{person.user_id}",
                email="",
                password=unusable,
                is_active=False,
                activation_code_hash="",
                activation_expires_at=None,
            )
        result.anonymized = len(kept)
    if result.anonymized or result.deleted:
        versions.bump_people(around, school_ids=schools)
    return result


def _around(person_ids: list[int]) -> tuple[set[int], set[int]]:
    """These people and those linked to them as guardian or child; their schools (two queries, none if
    there is nobody)."""
    if not person_ids:
        return set(), set()
    people = set(person_ids)
    for relative_id, student_id in Guardianship.objects.filter(
        Q(relative_id__in=person_ids) | Q(student_id__in=person_ids)
    ).values_list("relative_id", "student_id"):
        people |= {relative_id, student_id}
    schools = set(Membership.objects.filter(person_id__in=person_ids).values_list("school_id", flat=True))
    return people, schools


# --- Yearly rollover (rule C4) ---------------------------------------------------------------------------

SCHOOL_YEAR_NAME = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True)
class Rollover:
    year: SchoolYear
    previous: SchoolYear | None
    created: bool  # the school year did not exist yet
    changed: bool  # False when the year was already the current one: nothing was written


# A year starting further ahead is most likely a typing mistake ("2072-2073"): refused unless forced.
MAX_MONTHS_AHEAD = 3


@dataclass(frozen=True)
class RolloverPlan:
    """What starting the year `name` would do, shown before asking for confirmation."""

    name: str
    start: date
    end: date
    previous: SchoolYear | None
    already_current: bool
    too_far: bool  # starts more than MAX_MONTHS_AHEAD months from today
    # What stops giving access (last year's, kept as history): classes, other groups, enrolments in them,
    # teaching assignments.
    classes: int = 0
    groups: int = 0
    enrolments: int = 0
    assignments: int = 0


def school_year_dates(first_year: int) -> tuple[date, date]:
    """A school year runs from 1 September to the first Saturday of July of the next calendar year.

    The official calendar moves these by a few days each year (pre-rentrée, zones); the dates are only
    shown and sort the years, access depends on which year is current, so this simple rule is enough.
    """
    july_first = date(first_year + 1, 7, 1)
    saturday = july_first + timedelta(days=(5 - july_first.weekday()) % 7)
    return date(first_year, 9, 1), saturday


def parse_school_year_name(name: str) -> int:
    """The first calendar year of a name such as "2027-2028"; Refused when it is not one."""
    match = SCHOOL_YEAR_NAME.match(name.strip())
    if match is None or int(match[2]) != int(match[1]) + 1 or not 2000 <= int(match[1]) <= 2200:
        raise Refused(
            _("« %(name)s » n’est pas une année scolaire : attendu AAAA-AAAA, par exemple 2027-2028.")
            % {"name": name}
        )
    return int(match[1])


def months_later(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (31 → 30)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _year_being_started(name: str) -> tuple[str, date, date, SchoolYear | None, SchoolYear | None]:
    """(normalized name, start, end, current year, existing year of that name); Refused when the
    name is not a school year or the year would go backwards."""
    first_year = parse_school_year_name(name)
    name = f"{first_year}-{first_year + 1}"
    start, end = school_year_dates(first_year)
    current = SchoolYear.objects.filter(is_current=True).first()
    existing = SchoolYear.objects.filter(name=name).first()
    if existing is not None:
        start, end = existing.start, existing.end
    if current is not None and current.name != name and start <= current.start:
        raise Refused(
            _(
                "L’année %(name)s ne suit pas l’année en cours (%(current)s) : "
                "le changement d’année ne revient pas en arrière."
            )
            % {"name": name, "current": current.name}
        )
    return name, start, end, current, existing


def plan_school_year(name: str, *, today: date | None = None) -> RolloverPlan:
    """What start_school_year(name) would close, in numbers (a few counting queries), to confirm first."""
    name, start, end, current, _existing = _year_being_started(name)
    today = today or timezone.localdate()
    plan = RolloverPlan(
        name=name,
        start=start,
        end=end,
        previous=current,
        already_current=current is not None and current.name == name,
        too_far=start > months_later(today, MAX_MONTHS_AHEAD),
    )
    if current is None or plan.already_current:
        return plan
    groups = Group.objects.filter(year=current)
    return dataclasses.replace(
        plan,
        classes=groups.filter(kind=GroupKind.CLASS).count(),
        groups=groups.exclude(kind=GroupKind.CLASS).count(),
        enrolments=Enrolment.objects.filter(group__year=current).count(),
        assignments=TeachingAssignment.objects.filter(group__year=current).count(),
    )


def too_far_message(plan: RolloverPlan) -> str:
    return _(
        "L’année %(name)s commence le %(start)s, dans plus de %(months)s mois : vérifiez l’année, ou "
        "confirmez que vous voulez vraiment la commencer dès maintenant."
    ) % {"name": plan.name, "start": plan.start.strftime("%d/%m/%Y"), "months": MAX_MONTHS_AHEAD}


@transaction.atomic
def start_school_year(
    by: User | None, name: str, *, force: bool = False, today: date | None = None
) -> Rollover:
    """Make the school year `name` (e.g. "2027-2028") the current one, creating it if needed; `by` is the
    platform admin who does it (None from the command line), kept in the trace of the change.

    Last year's classes, groups, enrolments and teaching assignments stay in the database as history:
    they belong to last year, and only the current year's give access (cartable.access.policy), so
    nobody keeps seeing anyone through last year's classes. Accounts, memberships and guardianships are
    kept; the rentrée feed then fills the new year's classes. Running it again for the current year
    changes nothing. A year older than the current one is refused: the rollover only goes forward; a
    year starting more than MAX_MONTHS_AHEAD months from `today` is refused unless `force`d. The change
    is recorded (SchoolYearChange) and may be undone until the new year's first feed (undo_school_year).
    """
    # Lock the current year's row: two rollovers at once cannot both pass the checks below.
    list(SchoolYear.objects.select_for_update().filter(is_current=True))
    plan = plan_school_year(name, today=today)
    previous = plan.previous
    if plan.already_current:
        assert previous is not None
        return Rollover(year=previous, previous=previous, created=False, changed=False)
    if plan.too_far and not force:
        raise Refused(too_far_message(plan))
    existing = SchoolYear.objects.filter(name=plan.name).first()
    if previous is not None:
        # One current year at most (constraint one_current_school_year): unset the old one first.
        SchoolYear.objects.filter(pk=previous.pk).update(is_current=False)
        previous.is_current = False
    if existing is None:
        year = SchoolYear.objects.create(name=plan.name, start=plan.start, end=plan.end, is_current=True)
    else:
        SchoolYear.objects.filter(pk=existing.pk).update(is_current=True)
        existing.is_current = True
        year = existing
    SchoolYearChange.objects.create(
        year=year,
        year_name=year.name,
        previous=previous,
        created_year=existing is None,
        forced=plan.too_far,
        by=by,
    )
    versions.bump_platform()
    return Rollover(year=year, previous=previous, created=existing is None, changed=True)


def last_rollover() -> SchoolYearChange | None:
    """The rollover that made the current year current, when it has not been undone."""
    change = (
        SchoolYearChange.objects.select_related("year", "previous").filter(undone_at__isnull=True).first()
    )
    if change is None or change.year is None or not change.year.is_current:
        return None
    return change


def undo_refusal(change: SchoolYearChange | None) -> str | None:
    """Why the last rollover can no longer be undone, or None when it can."""
    if change is None:
        return _("Aucun changement d’année à annuler : l’année en cours n’a pas été commencée ici.")
    if change.previous is None:
        return _("L’année %(name)s est la première : il n’y a pas d’année à laquelle revenir.") % {
            "name": change.year_name
        }
    # Once a feed (or a spreadsheet import) has filled the new year, going back would hide what it brought
    # and mix two years' data. The feeds say so through their lifecycle module (cartable.lib.lifecycle).
    if lifecycle.year_filled_since(change.year, change.at):
        return _(
            "Un import de l’annuaire a déjà rempli l’année %(name)s : le changement d’année ne peut plus "
            "être annulé."
        ) % {"name": change.year_name}
    return None


@transaction.atomic
def undo_school_year(by: User | None) -> SchoolYearChange:
    """Go back to the year before the last rollover, as long as no import has filled the new year: last
    year's classes, enrolments and assignments give access again. A year the rollover created, with
    nothing in it, is deleted again. Refused when it cannot be undone (the message says why)."""
    list(SchoolYear.objects.select_for_update().filter(is_current=True))
    change = last_rollover()
    refusal = undo_refusal(change)
    if refusal is not None:
        raise Refused(refusal)
    assert change is not None and change.year is not None and change.previous is not None
    year, previous = change.year, change.previous
    SchoolYear.objects.filter(pk=year.pk).update(is_current=False)
    SchoolYear.objects.filter(pk=previous.pk).update(is_current=True)
    SchoolYearChange.objects.filter(pk=change.pk).update(undone_at=timezone.now(), undone_by=by)
    if change.created_year:
        try:
            with transaction.atomic():
                SchoolYear.objects.filter(pk=year.pk).delete()
        except ProtectedError:
            pass  # classes or courses were prepared for it: the year stays, not current
    versions.bump_platform()
    change.refresh_from_db()
    return change
