"""Provisioning the directory in bulk: the one way feeds, spreadsheet imports (and later SSO account linking
and the API) write people, accounts, memberships, enrolments, guardianships, teaching assignments, schools,
classes and subjects.

    with bulk.provisioning(school=school, actor=admin) as directory:
        people = directory.create_people(rows, taken_logins, password_hash)
        directory.add_memberships([NewMembership(p.pk, school.pk, Profile.STUDENT) for p in people])
        directory.enrol([(p.pk, group.pk) for p in people])

Everything inside the block is one transaction. What the callers used to repeat is done here, once:

- the version bump: the cached facts of the schools the block wrote to (and of everyone in them) are
  invalidated once, at the end of the block, when anything was written (the one call to
  cartable.directory.versions is in `provisioning`). A write that names its school (a membership, a class,
  the block's `school`) records it; an importer that writes across schools by ids only names them with
  `concerns_schools`; a block that names no school renews every school's facts;
- the trace: accounts created on behalf of an admin (`actor`) are traced by the apps that keep traces,
  through their lifecycle hook `trace_created` (cartable.lib.lifecycle): the console's history shows them;
- the lifecycle: people leaving (`deactivate`) or coming back before the purge (`reactivate`), rule C5.

Writes take plain values (ids, tuples) and go through COPY on PostgreSQL (`copy_rows`): an académie feed
writes hundreds of thousands of rows. Each method returns how many rows it wrote (or the new objects), and
the caller does its own counting for its report. Nothing here checks permissions: the caller has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import F, JSONField, Model
from django.db.models.fields import AutoFieldMixin

from cartable.accounts.models import User
from cartable.accounts.usernames import unique_usernames
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
from cartable.lib import lifecycle

BATCH = 1000


class ImportedPerson(NamedTuple):
    """A person arriving from a feed or a file, keyed by the feed's join key ("" when it has none)."""

    first_name: str
    last_name: str
    jointure: str
    birth_date: date | None = None
    ine: str = ""
    email: str = ""


class NewMembership(NamedTuple):
    person_id: int
    school_id: int
    profile: str
    functions: Sequence[str] = ()


class NewGuardianship(NamedTuple):
    relative_id: int
    student_id: int
    relationship: str = ""
    legal_guardian: bool = True
    financial: bool = False
    contact: bool = True


class Provisioning:
    """The writes of one `provisioning()` block; `wrote` tells whether any row changed."""

    def __init__(self, school: School | None = None, actor: User | None = None) -> None:
        self.school = school
        self.actor = actor
        self.wrote = False
        # The schools whose cached facts the block's writes change, and the people who left or came back
        # (shown wherever they are).
        self.schools: set[int] = {school.pk} if school is not None else set()
        self.people_everywhere: set[int] = set()

    def concerns_schools(self, school_ids: Iterable[int]) -> None:
        """The block writes about these schools' people (an importer writing by ids across schools)."""
        self.schools.update(school_ids)

    def _count(self, rows: int) -> int:
        if rows:
            self.wrote = True
        return rows

    # -- people and their accounts ---------------------------------------------------------------------

    def create_people(
        self,
        rows: Sequence[ImportedPerson],
        taken_usernames: set[str],
        password_hash: str,
        batch_size: int = BATCH,
    ) -> list[Person]:
        """Accounts and directory persons for many new people at once: prenom.nom logins that
        `taken_usernames` says are free (it is updated), one shared password hash (unusable until
        activation). The accounts are not activated: each person gets their activation code on the letter
        the school's admin prints from the console. Returns the persons in the order of `rows`."""
        if not rows:
            return []
        people = _create_people(rows, taken_usernames, password_hash, batch_size)
        self._count(len(people))
        if self.actor is not None and self.school is not None:
            lifecycle.trace_created(self.school, self.actor, [p.user_id for p in people])
        return people

    def update_people(self, people: Sequence[Person], fields: Sequence[str], batch_size: int = BATCH) -> int:
        """Names, birth date, INE… of existing persons: `fields` of each object are written."""
        if not people:
            return 0
        Person.objects.bulk_update(people, list(fields), batch_size=batch_size)
        return self._count(len(people))

    def set_emails(self, users: Sequence[User], batch_size: int = BATCH) -> int:
        """The accounts' `email` as set on the objects."""
        if not users:
            return 0
        User.objects.bulk_update(users, ["email"], batch_size=batch_size)
        return self._count(len(users))

    def deactivate(self, person_ids: Iterable[int], now: datetime) -> int:
        """People who left: they can no longer log in, their sessions end at once, pickers stop showing
        them. Their data stay until the purge (rule C5), so that someone who comes back finds everything
        again. Returns how many were deactivated (those already gone keep their first `left_at`)."""
        ids = list(
            Person.objects.filter(pk__in=list(person_ids), left_at__isnull=True).values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Person.objects.filter(pk__in=ids).update(left_at=now)
        User.objects.filter(person__pk__in=ids).update(
            is_active=False, session_generation=F("session_generation") + 1
        )
        self.people_everywhere.update(ids)
        return self._count(len(ids))

    def reactivate(self, person_ids: Iterable[int]) -> int:
        """People back before the purge: the same account and data."""
        ids = list(
            Person.objects.filter(pk__in=list(person_ids), left_at__isnull=False).values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Person.objects.filter(pk__in=ids).update(left_at=None)
        User.objects.filter(person__pk__in=ids).update(is_active=True)
        self.people_everywhere.update(ids)
        return self._count(len(ids))

    # -- memberships -----------------------------------------------------------------------------------

    def add_memberships(self, rows: Iterable[NewMembership]) -> int:
        rows = list(rows)
        self.concerns_schools(r.school_id for r in rows)
        return self._count(
            copy_rows(
                Membership,
                ["person_id", "school_id", "profile", "functions"],
                ((r.person_id, r.school_id, r.profile, list(r.functions)) for r in rows),
            )
        )

    def set_functions(self, rows: Iterable[tuple[int, Sequence[str]]], batch_size: int = BATCH) -> int:
        """(membership id, functions) pairs: the functions become exactly those."""
        memberships = [Membership(pk=pk, functions=list(functions)) for pk, functions in rows]
        if not memberships:
            return 0
        Membership.objects.bulk_update(memberships, ["functions"], batch_size=batch_size)
        return self._count(len(memberships))

    # -- enrolments, teaching assignments, guardianships -----------------------------------------------

    def enrol(self, rows: Iterable[tuple[int, int]]) -> int:
        """(student id, group id) pairs not enrolled yet."""
        return self._count(copy_rows(Enrolment, ["student_id", "group_id"], rows))

    def unenrol(self, enrolment_ids: Sequence[int]) -> int:
        return self._delete(Enrolment, enrolment_ids)

    def assign_teaching(self, rows: Iterable[tuple[int, int, int | None]]) -> int:
        """(teacher id, group id, subject id or None) not assigned yet."""
        return self._count(copy_rows(TeachingAssignment, ["teacher_id", "group_id", "subject_id"], rows))

    def unassign_teaching(self, assignment_ids: Sequence[int]) -> int:
        return self._delete(TeachingAssignment, assignment_ids)

    def link_guardians(self, rows: Iterable[NewGuardianship]) -> int:
        return self._count(copy_rows(Guardianship, list(NewGuardianship._fields), rows))

    def update_guardianships(
        self, links: Sequence[Guardianship], fields: Sequence[str], batch_size: int = BATCH
    ) -> int:
        if not links:
            return 0
        Guardianship.objects.bulk_update(links, list(fields), batch_size=batch_size)
        return self._count(len(links))

    # -- schools, classes and groups, subjects ---------------------------------------------------------

    def create_school(self, **fields: Any) -> School:
        self._count(1)
        school = School.objects.create(**fields)
        self.concerns_schools([school.pk])
        return school

    def update_school(self, school: School, fields: Sequence[str]) -> None:
        school.save(update_fields=list(fields))
        self.concerns_schools([school.pk])
        self._count(1)

    def create_groups(self, groups: Sequence[Group], batch_size: int = BATCH) -> list[Group]:
        """New classes and groups, returned with their ids."""
        if not groups:
            return []
        created = Group.objects.bulk_create(groups, batch_size=batch_size)
        self.concerns_schools(group.school_id for group in created)
        self._count(len(created))
        return created

    def update_groups(self, groups: Sequence[Group], fields: Sequence[str]) -> int:
        if not groups:
            return 0
        Group.objects.bulk_update(groups, list(fields))
        self.concerns_schools(group.school_id for group in groups)
        return self._count(len(groups))

    def create_subjects(self, subjects: Sequence[Subject], batch_size: int = BATCH) -> list[Subject]:
        if not subjects:
            return []
        created = Subject.objects.bulk_create(subjects, batch_size=batch_size)
        self.concerns_schools(subject.school_id for subject in created)
        self._count(len(created))
        return created

    def _delete(self, model: type[Model], ids: Sequence[int]) -> int:
        deleted = 0
        for start in range(0, len(ids), BATCH):
            count, _by_model = model._default_manager.filter(pk__in=ids[start : start + BATCH]).delete()
            deleted += count
        return self._count(deleted)


@contextmanager
def provisioning(*, school: School | None = None, actor: User | None = None) -> Iterator[Provisioning]:
    """One transaction of directory writes; the cached directory facts are invalidated once at its end when
    anything was written. `school` and `actor` (an admin importing a file): accounts created are traced."""
    writes = Provisioning(school, actor)
    with transaction.atomic():
        yield writes
        if writes.wrote and not transaction.get_rollback():  # a dry run rolls back: nothing to renew
            # The only place provisioning invalidates cached directory facts.
            if writes.schools:
                versions.bump_imported_schools(writes.schools)
            if writes.people_everywhere:
                versions.bump_people_everywhere(writes.people_everywhere)
            if not (writes.schools or writes.people_everywhere):
                versions.bump_platform()


def _create_people(
    rows: Sequence[ImportedPerson], taken_usernames: set[str], password_hash: str, batch_size: int
) -> list[Person]:
    logins = unique_usernames([(row.first_name, row.last_name) for row in rows], taken_usernames)
    if connection.vendor != "postgresql":
        users = User.objects.bulk_create(
            [
                User(username=login, email=row.email, password=password_hash)
                for row, login in zip(rows, logins, strict=True)
            ],
            batch_size=batch_size,
        )
        return Person.objects.bulk_create(
            [
                Person(
                    user=user,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    birth_date=row.birth_date,
                    aaf_jointure=row.jointure,
                    ine=row.ine,
                )
                for row, user in zip(rows, users, strict=True)
            ],
            batch_size=batch_size,
        )
    # PostgreSQL: COPY, then the new ids read back by their unique keys (several times faster at scale).
    copy_rows(
        User,
        ["username", "email", "password"],
        [(login, row.email, password_hash) for row, login in zip(rows, logins, strict=True)],
    )
    user_ids = dict(User.objects.filter(username__in=logins).values_list("username", "pk"))
    copy_rows(
        Person,
        ["user_id", "first_name", "last_name", "birth_date", "aaf_jointure", "ine"],
        [
            (user_ids[login], row.first_name, row.last_name, row.birth_date, row.jointure, row.ine)
            for row, login in zip(rows, logins, strict=True)
        ],
    )
    by_user = {p.user_id: p for p in Person.objects.filter(user_id__in=list(user_ids.values())).order_by()}
    return [by_user[user_ids[login]] for login in logins]


def copy_rows(model: type[Model], names: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert new rows given as tuples of plain values for the fields `names` (attnames, e.g. "person_id");
    every other field gets its default, computed once. No signals, no objects back (like bulk_create).

    On PostgreSQL the rows go through COPY (no SQL to build per row); elsewhere through bulk_create.
    Returns how many rows were written.
    """
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(  # type: ignore[attr-defined]
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return len(rows)
    from psycopg.types.json import Jsonb

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    given = [by_attname[name] for name in names]
    others = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in names and not (f.primary_key and isinstance(f, AutoFieldMixin))
    ]
    constants = [f.get_db_prep_save(f.get_default(), connection) for f in others]
    json_at = [i for i, f in enumerate(given) if isinstance(f, JSONField)]
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(  # the names come from the model, not from input
        quote(model._meta.db_table), ", ".join(quote(f.column or f.attname) for f in given + others)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = list(row)
            for i in json_at:
                values[i] = Jsonb(values[i])
            copy.write_row(values + constants)
    return len(rows)
