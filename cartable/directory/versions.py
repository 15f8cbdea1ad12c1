"""The directory's version keys, and the facts read from the directory (see cartable.lib.facts).

The directory is kept under three kinds of version keys, so that a write in one school does not send every
user of the platform back to the database:

- `school_key(id)`: what belongs to one school (its row, classes and groups, memberships, enrolments,
  teaching assignments). A fact showing rows of a school depends on that school's key.
- `person_key(id)`: what belongs to one person (their name, memberships, enrolments, teaching assignments,
  guardianships as guardian or as child). A fact about a person depends on their key, and on the keys of
  the people it shows as theirs (a guardian's home page depends on each child's).
- `PLATFORM_KEY`: what every school shares (the current school year, subjects). The yearly rollover, the
  demo seeding and the Django admin bump it; every directory fact depends on it.
- `SCHOOLS_KEY`: the list of schools and their settings (who opted out of the staff second factor).

Who bumps what (the rules are in ARCHITECTURE.md, "Cached facts: who bumps, when"): an action writing about
people calls `bump_people(ids, school_ids=…)` (their keys, and the schools whose classes it changed), or
`bump_people_everywhere(ids)` when what changed shows in every school of theirs (a name); an action writing
a school's classes or groups calls `bump_schools(ids)`; an import calls `bump_imported_schools(ids)` once
its writes are done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cartable.lib import facts

PLATFORM_KEY = "directory:platform"
SCHOOLS_KEY = "directory:schools"
# An import reaching more people than this renews the platform's key rather than each person's.
MANY_PEOPLE = 20_000

facts.covers(
    "directory:",
    [
        "directory.School",
        "directory.SchoolYear",
        "directory.Person",
        "directory.Membership",
        "directory.Group",
        "directory.Subject",
        "directory.Enrolment",
        "directory.TeachingAssignment",
        "directory.Guardianship",
    ],
)


def school_key(school_id: int) -> str:
    return f"directory:school:{school_id}"


def person_key(person_id: int) -> str:
    return f"directory:person:{person_id}"


def current(key: str = PLATFORM_KEY) -> int:
    return facts.numbers([key])[0]


def bump_platform() -> None:
    """After a write every school shares (the school year, subjects) or one that cannot tell which schools
    it touched (the demo seeding, a test writing behind the actions' back): every directory fact is read
    again."""
    facts.bump([PLATFORM_KEY])


def bump_schools(school_ids: Iterable[int], *, school_rows: bool = False) -> None:
    """After a write to these schools' classes, groups, teams; `school_rows`: to the schools' own rows too."""
    keys = [school_key(pk) for pk in sorted(set(school_ids))]
    facts.bump([*keys, SCHOOLS_KEY] if school_rows else keys)


def bump_people(person_ids: Iterable[int], *, school_ids: Iterable[int] = ()) -> None:
    """After a write about these people (a membership, an enrolment, a teaching assignment, a guardianship):
    their keys, and those of `school_ids`, the schools whose classes or teams the write changed (no query).
    Harmless when the transaction rolls back."""
    keys = [person_key(pk) for pk in sorted(set(person_ids))]
    facts.bump([*keys, *(school_key(pk) for pk in sorted(set(school_ids)))])


def bump_people_everywhere(person_ids: Iterable[int]) -> None:
    """After a write that shows wherever these people are shown (their names, their leaving): their keys and
    those of every school they belong to (one query)."""
    from cartable.directory.models import Membership

    ids = sorted(set(person_ids))
    if ids:
        schools = Membership.objects.filter(person_id__in=ids).values_list("school_id", flat=True).distinct()
        bump_people(ids, school_ids=schools)


def bump_imported_schools(school_ids: Iterable[int]) -> None:
    """After an import into these schools: their keys, and those of everyone who belongs to them or is a
    guardian of one of their pupils (one query; a few thousand keys renewed in one round trip)."""
    from cartable.directory.models import Guardianship, Membership

    ids = sorted(set(school_ids))
    if not ids:
        return
    members = Membership.objects.filter(school_id__in=ids).values("person_id")
    guardians = Guardianship.objects.filter(student_id__in=members).values_list("relative_id", flat=True)
    people = set(members.values_list("person_id", flat=True).union(guardians))
    if len(people) > MANY_PEOPLE:
        bump_platform()  # most of the platform: one key instead of a hundred thousand
        return
    facts.bump([*(school_key(pk) for pk in ids), SCHOOLS_KEY, *(person_key(pk) for pk in sorted(people))])


def cached[T, B](
    key: str,
    load: Callable[[], T],
    build: Callable[[T], B] = facts.as_is,
    *,
    keys: Iterable[str] = (),
    depends: Callable[[T], Iterable[str]] | None = None,
) -> B:
    """The fact under `key` if read at the current versions, else `load()`; `build` turns it into what the
    pages use (kept in the process, shared by every request: never change it).

    It depends on the platform key, on `keys` (known before reading: the person it is about, the schools it
    lists) and on the keys `depends` names in its value (the schools of the classes it shows).
    `load()` must return built-in types only (tuples, dicts, sets, numbers, strings): no model or class to
    unpickle after a release.
    """
    return facts.cached(f"directory:{key}", [PLATFORM_KEY, *keys], load, build, depends=depends)
