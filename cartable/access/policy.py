"""The one access policy of Cartable (rule C1: each user sees only what concerns them).

Every app builds its `access.py` on these relationships. The facts about a user (schools, profiles,
functions, children, classes, taught groups) are read once per request into a `Viewer` and cached on
the user object, so predicates cost no query after the first. Between requests they are kept in the
shared cache under the versions of the person and of their schools (cartable.directory.versions), which
every directory write about them bumps: a cached fact is never read after the write that changed it.

Classes and groups belong to a school year, and only those of the current year give access: after the
yearly rollover (cartable.directory.actions.start_school_year) last year's enrolments and teaching
assignments stay in the database as history but no longer let anyone see anyone. Guardianships and
memberships are not yearly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from cartable.directory import versions
from cartable.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    TeachingAssignment,
)

if TYPE_CHECKING:
    from cartable.accounts.models import User

# Staff whose role is school-wide: they see everyone in their school.
SCHOOL_WIDE_FUNCTIONS = frozenset({Function.DIRECTION, Function.VIE_SCOLAIRE, Function.ADML})
# Who stops a profile of the school from sending messages (the kill-switch), besides the platform admin: its
# ENT admin, and the direction and vie scolaire who handle the incidents (March 2024: threats sent through
# hijacked pupil accounts, often at night, when the ENT admin is not there).
MESSAGING_PAUSE_FUNCTIONS = frozenset({Function.ADML, Function.DIRECTION, Function.VIE_SCOLAIRE})
# Staff that pupils and families may see and reach (the school's front desk).
FRONT_DESK_FUNCTIONS = frozenset({Function.DIRECTION, Function.VIE_SCOLAIRE, Function.DOCUMENTALIST})


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    person_id: int | None
    is_platform_admin: bool = False
    # school id -> set of profiles / set of functions held there
    profiles: dict[int, frozenset[str]] = field(default_factory=dict)
    functions: dict[int, frozenset[str]] = field(default_factory=dict)
    child_ids: frozenset[int] = frozenset()  # pupils this person is a legal guardian of
    # Classes and groups of the current school year only.
    class_ids: frozenset[int] = frozenset()  # classes the person is enrolled in (as a pupil)
    group_ids: frozenset[int] = frozenset()  # all classes and groups the person is enrolled in
    taught_group_ids: frozenset[int] = frozenset()

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(self.profiles)

    def has_profile(self, school_id: int, *profiles: str) -> bool:
        return bool(self.profiles.get(school_id, frozenset()) & set(profiles))

    def has_function(self, school_id: int, *functions: str) -> bool:
        return bool(self.functions.get(school_id, frozenset()) & set(functions))

    def schools_with_function(self, *functions: str) -> frozenset[int]:
        wanted = set(functions)
        return frozenset(s for s, held in self.functions.items() if held & wanted)

    def schools_with_profile(self, *profiles: str) -> frozenset[int]:
        wanted = set(profiles)
        return frozenset(s for s, held in self.profiles.items() if held & wanted)


ANONYMOUS = Viewer(user_id=None, person_id=None)


def viewer_for(user: Any) -> Viewer:
    """The facts about `user`, read once and cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached: Viewer | None = getattr(user, "_cartable_viewer", None)
    if cached is not None:
        return cached
    viewer = _shared_viewer(user)
    user._cartable_viewer = viewer
    return viewer


def forget_viewer(user: Any) -> None:
    """Drop the cached facts (after an action changed the user's links in the same request)."""
    if hasattr(user, "_cartable_viewer"):
        del user._cartable_viewer


def _facts_of(viewer: Viewer) -> tuple[Any, ...]:
    """The directory facts of a viewer, in built-in types only (no class to unpickle across releases).
    Whether the user is the platform admin is an account fact: it is read from the user row each time."""
    return (
        viewer.person_id,
        viewer.profiles,
        viewer.functions,
        viewer.child_ids,
        viewer.class_ids,
        viewer.group_ids,
        viewer.taught_group_ids,
    )


def _viewer_keys(facts: tuple[Any, ...]) -> list[str]:
    """The person's key and their schools' (a write in another school leaves their facts alone)."""
    person_id, profiles = facts[0], facts[1]
    if person_id is None:
        return []
    return [versions.person_key(person_id), *(versions.school_key(pk) for pk in sorted(profiles))]


def _shared_viewer(user: User) -> Viewer:
    viewer = versions.cached(
        f"viewer:{user.pk}",
        lambda: _facts_of(_load_viewer(user)),
        _viewer_from_facts(user.pk),
        depends=_viewer_keys,
    )
    if user.is_platform_admin:
        return dataclasses.replace(viewer, is_platform_admin=True)
    return viewer


def _viewer_from_facts(user_id: int) -> Callable[[tuple[Any, ...]], Viewer]:
    def build(facts: tuple[Any, ...]) -> Viewer:
        person_id, profiles, functions, child_ids, class_ids, group_ids, taught = facts
        return Viewer(
            user_id=user_id,
            person_id=person_id,
            profiles=profiles,
            functions=functions,
            child_ids=child_ids,
            class_ids=class_ids,
            group_ids=group_ids,
            taught_group_ids=taught,
        )

    return build


def _load_viewer(user: User) -> Viewer:
    person_id = Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    if person_id is None:
        return Viewer(user_id=user.pk, person_id=None, is_platform_admin=user.is_platform_admin)
    profiles: dict[int, set[str]] = {}
    functions: dict[int, set[str]] = {}
    for school_id, profile, held in Membership.objects.filter(person_id=person_id).values_list(
        "school_id", "profile", "functions"
    ):
        profiles.setdefault(school_id, set()).add(profile)
        functions.setdefault(school_id, set()).update(held or [])
    child_ids = frozenset(
        Guardianship.objects.filter(relative_id=person_id, legal_guardian=True).values_list(
            "student_id", flat=True
        )
    )
    class_ids: set[int] = set()
    group_ids: set[int] = set()
    for group_id, kind in (
        current_enrolments().filter(student_id=person_id).values_list("group_id", "group__kind")
    ):
        group_ids.add(group_id)
        if kind == GroupKind.CLASS:
            class_ids.add(group_id)
    taught = frozenset(
        current_teaching_assignments().filter(teacher_id=person_id).values_list("group_id", flat=True)
    )
    return Viewer(
        user_id=user.pk,
        person_id=person_id,
        is_platform_admin=user.is_platform_admin,
        profiles={s: frozenset(p) for s, p in profiles.items()},
        functions={s: frozenset(f) for s, f in functions.items()},
        child_ids=child_ids,
        class_ids=frozenset(class_ids),
        group_ids=frozenset(group_ids),
        taught_group_ids=taught,
    )


def current_enrolments() -> QuerySet[Enrolment]:
    """Enrolments in the classes and groups of the current school year: the only ones that give access."""
    return Enrolment.objects.filter(group__year__is_current=True)


def current_teaching_assignments() -> QuerySet[TeachingAssignment]:
    """Teaching assignments of the current school year: the only ones that give access."""
    return TeachingAssignment.objects.filter(group__year__is_current=True)


def _school_id(school: School | int) -> int:
    return school if isinstance(school, int) else school.pk


def _person_id(person: Person | int) -> int:
    return person if isinstance(person, int) else person.pk


# --- Relationship predicates -------------------------------------------------------------------------


def is_pupil(user: Any) -> bool:
    """A pupil somewhere: their own timetable, to-do list and messaging rules (no query: cached viewer)."""
    viewer = viewer_for(user)
    return viewer.person_id is not None and bool(viewer.schools_with_profile(Profile.STUDENT))


def is_platform_admin(user: Any) -> bool:
    return viewer_for(user).is_platform_admin


def is_self(user: Any, person: Person | int) -> bool:
    return viewer_for(user).person_id == _person_id(person)


def is_guardian_of(user: Any, student: Person | int) -> bool:
    return _person_id(student) in viewer_for(user).child_ids


def staff_of(user: Any, school: School | int) -> bool:
    """Teacher or personnel of the school."""
    return viewer_for(user).has_profile(_school_id(school), *STAFF_PROFILES)


def admin_of(user: Any, school: School | int) -> bool:
    """May administer the school's accounts: its ADML, or the platform admin."""
    viewer = viewer_for(user)
    return viewer.is_platform_admin or viewer.has_function(_school_id(school), Function.ADML)


def may_pause_messaging(user: Any, school: School | int) -> bool:
    """May stop a profile of the school from sending messages and let it again (MESSAGING_PAUSE_FUNCTIONS)."""
    viewer = viewer_for(user)
    return viewer.is_platform_admin or viewer.has_function(_school_id(school), *MESSAGING_PAUSE_FUNCTIONS)


def schools_pausing_messaging(user: Any) -> frozenset[int]:
    """The schools whose kill-switch the user holds as a member of its staff (the platform admin holds every
    school's, from the console)."""
    return viewer_for(user).schools_with_function(*MESSAGING_PAUSE_FUNCTIONS)


def school_wide_staff_of(user: Any, school: School | int) -> bool:
    """Direction, vie scolaire or ADML: sees every person of the school."""
    return viewer_for(user).has_function(_school_id(school), *SCHOOL_WIDE_FUNCTIONS)


def teaches(user: Any, target: Group | Person | int) -> bool:
    """Teaches the group, or teaches a group the pupil is enrolled in (an int is a group id)."""
    viewer = viewer_for(user)
    if not viewer.taught_group_ids:
        return False
    if isinstance(target, Person):
        return Enrolment.objects.filter(student=target, group_id__in=viewer.taught_group_ids).exists()
    group_id = target if isinstance(target, int) else target.pk
    return group_id in viewer.taught_group_ids


def same_class(user: Any, person: Person | int) -> bool:
    viewer = viewer_for(user)
    if not viewer.class_ids:
        return False
    return Enrolment.objects.filter(student_id=_person_id(person), group_id__in=viewer.class_ids).exists()


# --- Who sees whom ------------------------------------------------------------------------------------


def people_visible_to(user: Any) -> QuerySet[Person]:
    """Every person `user` may see in the directory.

    - platform admin: everyone;
    - direction, vie scolaire, ADML: everyone of their school;
    - teachers and other staff: the school's staff, the pupils they teach and those pupils' guardians;
    - pupils: themselves, their teachers, their guardians, the school's front desk (not classmates);
    - guardians: themselves, their children, the children's other guardians, teachers and front desk;
    - anyone else (guests, no person): themselves only.
    Each branch is an id subquery, so the query stays flat and needs no DISTINCT.
    """
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return Person.objects.all()
    if viewer.person_id is None:
        return Person.objects.none()
    return Person.objects.filter(visible_people_q(viewer))


def visible_people_q(viewer: Viewer) -> Q:
    me = viewer.person_id
    if me is None:
        return Q(pk__in=[])
    q = Q(pk=me)
    school_wide = viewer.schools_with_function(*SCHOOL_WIDE_FUNCTIONS)
    if school_wide:
        q |= Q(pk__in=Membership.objects.filter(school_id__in=school_wide).values("person_id"))
    staff_schools = viewer.schools_with_profile(*STAFF_PROFILES)
    if staff_schools:
        q |= Q(
            pk__in=Membership.objects.filter(school_id__in=staff_schools, profile__in=STAFF_PROFILES).values(
                "person_id"
            )
        )
    if viewer.taught_group_ids:
        taught_pupils = Enrolment.objects.filter(group_id__in=viewer.taught_group_ids).values("student_id")
        q |= Q(pk__in=taught_pupils)
        q |= Q(
            pk__in=Guardianship.objects.filter(student_id__in=taught_pupils, legal_guardian=True).values(
                "relative_id"
            )
        )
    pupil_schools = viewer.schools_with_profile(Profile.STUDENT)
    if pupil_schools:
        # Not their classmates: a pupil's profile concerns the pupil and the adults around them only.
        q |= _family_circle_q(pupil_ids=[me], group_ids=viewer.group_ids)
    if viewer.child_ids:
        child_groups = current_enrolments().filter(student_id__in=viewer.child_ids).values("group_id")
        q |= Q(pk__in=viewer.child_ids)
        q |= _family_circle_q(pupil_ids=list(viewer.child_ids), group_ids=child_groups)
    # People who left (cartable.directory.actions.deactivate_people) vanish from pickers, not from themselves.
    return Q(pk=me) | (q & Q(left_at__isnull=True))


def _family_circle_q(pupil_ids: list[int], group_ids: Any) -> Q:
    """The people around pupils: their legal guardians, their teachers and the front desk of their schools."""
    schools = Membership.objects.filter(person_id__in=pupil_ids, profile=Profile.STUDENT).values("school_id")
    front_desk = Q()
    for code in FRONT_DESK_FUNCTIONS:
        front_desk |= (
            Q(functions__contains=code) if _json_contains_supported() else Q(functions__icontains=code)
        )
    return (
        Q(
            pk__in=Guardianship.objects.filter(student_id__in=pupil_ids, legal_guardian=True).values(
                "relative_id"
            )
        )
        | Q(pk__in=TeachingAssignment.objects.filter(group_id__in=group_ids).values("teacher_id"))
        | Q(
            pk__in=Membership.objects.filter(
                front_desk, school_id__in=schools, profile__in=STAFF_PROFILES
            ).values("person_id")
        )
    )


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def can_view_person(user: Any, person: Person | int) -> bool:
    viewer = viewer_for(user)
    person_id = _person_id(person)
    if viewer.is_platform_admin or viewer.person_id == person_id or person_id in viewer.child_ids:
        return True
    if viewer.person_id is None:
        return False
    return people_visible_to(user).filter(pk=person_id).exists()


# --- What is told about a person ----------------------------------------------------------------------


def schools_shown(user: Any, person: Person | int) -> frozenset[int] | None:
    """The schools whose link with `person` (profile, classes) may be told to `user`; None for all of them.

    Seeing someone is not seeing their whole life: a teacher of school A who may open a parent's profile
    learns that she is a parent in A, not that she has a child in school B. The person themselves, their
    legal guardians and the platform admin see every school; anyone else only the schools they belong to
    too (school-wide staff of A see A's links only)."""
    viewer = viewer_for(user)
    person_id = _person_id(person)
    if viewer.is_platform_admin or viewer.person_id == person_id or person_id in viewer.child_ids:
        return None
    return viewer.school_ids


def shown_in_schools[T](
    user: Any, person: Person | int, rows: Iterable[T], school_of: Callable[[T], int]
) -> list[T]:
    """The rows about `person` (memberships, classes…) that `user` may be told of (see `schools_shown`)."""
    schools = schools_shown(user, person)
    return list(rows) if schools is None else [row for row in rows if school_of(row) in schools]


def visible_person_ids(user: Any) -> QuerySet[Any]:
    """The ids of the people `user` may see, as a subquery: a description naming someone (« Parent de
    Kylian ») names only people the reader may open."""
    return people_visible_to(user).values("pk")


def schools_administered_by(user: Any) -> QuerySet[School]:
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return School.objects.all()
    return School.objects.filter(pk__in=viewer.schools_with_function(Function.ADML))
