"""Communication rules: who may write to whom, and why. Messaging (and any service that lets people write to
each other) asks here and nowhere else.

    reachable_people(user)   -> the people the user may write to (recipient pickers, forged-POST checks)
    can_write(user, person)  -> Verdict: allowed or not, and the rule that decided (the ADML's checker)
    writable_among(user, ids) -> the subset of these person ids the user may write to (one query, for sending
                                to 2,000 recipients at once)
    may_send(user)           -> Verdict: False while a kill-switch stops this user's profile from sending

The rules. Each school has a matrix: people holding profile P in the school may write to an audience (pupils,
parents, teachers, direction, vie scolaire, other staff) within a scope:
- "class": the classes and groups of the writer — for a pupil the groups they are enrolled in, for a parent
  those of their children, for a teacher (or any staff member) those they teach. Only pupils, parents and
  teachers belong to a class;
- "school": everyone of the audience in the school;
- "other schools": everyone of the audience in any other school of the platform.
A person is reachable when one of the writer's profiles, in one of their schools, has a rule reaching them.
Nobody writes to themselves, and people who left (Person.left_at) are reachable by no one.

A school that never edited its matrix gets DEFAULT_RULES. The matrix of each school is a fact of
cartable.lib.facts kept under a version of that school's own, bumped by every change
(cartable.communication.actions): edits take effect on the next request of every server process, and the other
schools' matrices stay cached. The kill-switches are never cached: may_send() reads them each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartable.access import policy
from cartable.communication.models import (
    Audience,
    CommunicationChange,
    CommunicationRule,
    Scope,
    SendingPause,
)
from cartable.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    Function,
    Group,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    TeachingAssignment,
)
from cartable.lib import facts as shared_facts

# A cell of the matrix: (writer's profile, audience, scope).
Cell = tuple[str, str, str]

# Only pupils, parents and teachers belong to a class; staff functions are school-wide.
CLASS_AUDIENCES = (Audience.PUPILS, Audience.GUARDIANS, Audience.TEACHERS)
# Profiles whose members an audience can name (guests are nobody's audience).
AUDIENCE_PROFILES = (Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL)
# The order in which rules are tried when explaining: the narrowest first.
SCOPE_ORDER = (Scope.CLASS, Scope.SCHOOL, Scope.OTHER_SCHOOLS)


def cells_of(profile: str) -> list[Cell]:
    """The cells of one profile's part of the matrix, in the order they are shown."""
    return [
        (profile, audience, scope)
        for audience in Audience.values
        for scope in Scope.values
        if scope != Scope.CLASS or audience in CLASS_AUDIENCES
    ]


ALL_CELLS: tuple[Cell, ...] = tuple(cell for profile in Profile.values for cell in cells_of(profile))

_EVERY_AUDIENCE_IN_SCHOOL = frozenset(
    (profile, audience, Scope.SCHOOL.value) for audience in Audience.values for profile in STAFF_PROFILES
)
DEFAULT_RULES: frozenset[Cell] = _EVERY_AUDIENCE_IN_SCHOOL | {
    # Parents: their children's teachers, the vie scolaire and the direction.
    (Profile.RELATIVE.value, Audience.TEACHERS.value, Scope.CLASS.value),
    (Profile.RELATIVE.value, Audience.VIE_SCOLAIRE.value, Scope.SCHOOL.value),
    (Profile.RELATIVE.value, Audience.DIRECTION.value, Scope.SCHOOL.value),
    # Pupils: their teachers.
    (Profile.STUDENT.value, Audience.TEACHERS.value, Scope.CLASS.value),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str | Promise  # the rule that allowed it, or why not, in words an ADML understands
    # The rule that allowed it: (school id, profile, audience, scope); None when refused.
    rule: tuple[int, str, str, str] | None = None

    def __bool__(self) -> bool:
        return self.allowed


# --- The matrix of each school, a fact kept under the school's rules version (cartable.lib.facts) ----------


def rules_key(school_id: int) -> str:
    return f"communication:rules:{school_id}"


shared_facts.covers("communication:rules:", ["communication.CommunicationRule"])


def bump_rules_version(school_id: int) -> None:
    """Call after any change of the school's rules: every process reads them again at its next request."""
    shared_facts.bump([rules_key(school_id)])


def resolve_rules(stored: dict[Cell, bool] | None) -> frozenset[Cell]:
    """The allowed cells of a school from its stored rows (None: never edited, the defaults)."""
    if not stored:
        return DEFAULT_RULES
    return frozenset(cell for cell in ALL_CELLS if stored.get(cell, cell in DEFAULT_RULES))


def allowed_cells(school_ids: Iterable[int]) -> dict[int, frozenset[Cell]]:
    """{school id: its allowed cells}: from the process or the shared cache while each school's rules are
    unchanged, else one query for all the schools whose rules changed."""
    ids = sorted(set(school_ids))
    # Every school's number is read before any rules (within a request the numbers are kept): the rules read
    # for several schools at once are then never newer than the numbers they are stored with.
    shared_facts.numbers(rules_key(school_id) for school_id in ids)
    loaded: dict[int, frozenset[Cell]] = {}

    def loader(school_id: int) -> Callable[[], frozenset[Cell]]:
        def load() -> frozenset[Cell]:
            if school_id not in loaded:
                loaded.update(_read_rules([pk for pk in ids if pk not in loaded]))
            return loaded[school_id]

        return load

    return {
        school_id: shared_facts.cached(
            f"communication:rules:{school_id}", [rules_key(school_id)], loader(school_id)
        )
        for school_id in ids
    }


def _read_rules(school_ids: list[int]) -> dict[int, frozenset[Cell]]:
    stored: dict[int, dict[Cell, bool]] = {}
    rows = CommunicationRule.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "profile", "audience", "scope", "allowed"
    )
    for school_id, profile, audience, scope, allowed in rows:
        stored.setdefault(school_id, {})[(profile, audience, scope)] = allowed
    return {school_id: resolve_rules(stored.get(school_id)) for school_id in school_ids}


def rules_of(school: School | int) -> frozenset[Cell]:
    school_id = school if isinstance(school, int) else school.pk
    return allowed_cells([school_id])[school_id]


def is_default(school: School | int) -> bool:
    school_id = school if isinstance(school, int) else school.pk
    return not CommunicationRule.objects.filter(school_id=school_id).exists()


# --- Who is reachable (one query) ------------------------------------------------------------------------


def _function_q(code: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(functions__contains=code)
    return Q(functions__icontains=code)  # SQLite: the codes are distinct words of the JSON list


def _audience_q(audiences: set[str]) -> Q:
    """Memberships that belong to any of these audiences."""
    if audiences >= set(Audience.values):
        return Q(profile__in=AUDIENCE_PROFILES)
    parts = []
    if Audience.PUPILS in audiences:
        parts.append(Q(profile=Profile.STUDENT))
    if Audience.GUARDIANS in audiences:
        parts.append(Q(profile=Profile.RELATIVE))
    if Audience.TEACHERS in audiences:
        parts.append(Q(profile=Profile.TEACHER))
    if Audience.DIRECTION in audiences:
        parts.append(Q(profile__in=STAFF_PROFILES) & _function_q(Function.DIRECTION))
    if Audience.VIE_SCOLAIRE in audiences:
        parts.append(Q(profile__in=STAFF_PROFILES) & _function_q(Function.VIE_SCOLAIRE))
    if Audience.OTHER_STAFF in audiences:
        parts.append(
            Q(profile=Profile.PERSONNEL)
            & ~_function_q(Function.DIRECTION)
            & ~_function_q(Function.VIE_SCOLAIRE)
        )
    return reduce(or_, parts)


def _writer_groups(viewer: policy.Viewer, school_id: int, profile: str) -> QuerySet[Group, Any] | None:
    """The current classes and groups that make up the writer's "class" in this school with this profile."""
    if profile == Profile.STUDENT:
        ids = viewer.group_ids
    elif profile in STAFF_PROFILES:
        ids = viewer.taught_group_ids
    elif profile == Profile.RELATIVE:
        if not viewer.child_ids:
            return None
        return Group.objects.filter(
            school_id=school_id,
            year__is_current=True,
            enrolments__student_id__in=viewer.child_ids,
        ).values("pk")
    else:
        return None
    if not ids:
        return None
    return Group.objects.filter(pk__in=ids, school_id=school_id).values("pk")


def _class_q(audience: str, groups: QuerySet[Group, Any]) -> Q:
    pupils = Enrolment.objects.filter(group_id__in=groups).values("student_id")
    if audience == Audience.PUPILS:
        return Q(pk__in=pupils)
    if audience == Audience.GUARDIANS:
        return Q(
            pk__in=Guardianship.objects.filter(student_id__in=pupils, legal_guardian=True).values(
                "relative_id"
            )
        )
    return Q(pk__in=TeachingAssignment.objects.filter(group_id__in=groups).values("teacher_id"))


def _profile_cells(cells: frozenset[Cell], profile: str, scope: str) -> set[str]:
    return {audience for p, audience, s in cells if p == profile and s == scope}


def reachable_q(viewer: policy.Viewer) -> Q | None:
    """The condition on Person for "this viewer may write to them" (before excluding themselves and people
    who left), or None when they may write to nobody. Each part is an id subquery: the query stays flat."""
    if viewer.person_id is None or not viewer.profiles:
        return None
    rules = allowed_cells(viewer.school_ids)
    parts: list[Q] = []
    for school_id, profiles in sorted(viewer.profiles.items()):
        cells = rules.get(school_id, frozenset())
        for profile in sorted(profiles):
            in_school = _profile_cells(cells, profile, Scope.SCHOOL)
            if in_school:
                members = Membership.objects.filter(_audience_q(in_school), school_id=school_id)
                parts.append(Q(pk__in=members.values("person_id")))
            in_class = _profile_cells(cells, profile, Scope.CLASS)
            if in_class:
                groups = _writer_groups(viewer, school_id, profile)
                if groups is not None:
                    parts.extend(_class_q(audience, groups) for audience in sorted(in_class))
            elsewhere = _profile_cells(cells, profile, Scope.OTHER_SCHOOLS)
            if elsewhere:
                members = Membership.objects.filter(_audience_q(elsewhere)).exclude(school_id=school_id)
                parts.append(Q(pk__in=members.values("person_id")))
    if not parts:
        return None
    return reduce(or_, parts)


def reachable_people(user: Any) -> QuerySet[Person]:
    """Everyone the user may write to, never themselves nor people who left. No query until evaluated (the
    rules come from the shared cache, or one query when they are not there)."""
    viewer = policy.viewer_for(user)
    condition = reachable_q(viewer)
    if condition is None or viewer.person_id is None:
        return Person.objects.none()
    return Person.objects.filter(condition, left_at__isnull=True).exclude(pk=viewer.person_id)


def writable_among(user: Any, person_ids: Iterable[int]) -> set[int]:
    """The ids among `person_ids` the user may write to, in one query."""
    wanted = {int(pk) for pk in person_ids}
    if not wanted:
        return set()
    return set(reachable_people(user).filter(pk__in=wanted).order_by().values_list("pk", flat=True))


# --- Why (the checker) -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TargetFacts:
    person_id: int
    left: bool
    memberships: tuple[tuple[int, str, tuple[str, ...]], ...]  # (school id, profile, functions)
    groups: frozenset[int]  # current groups the person is enrolled in
    guarded_groups: frozenset[int]  # current groups of the pupils they are a legal guardian of
    taught_groups: frozenset[int]

    def audiences_in(self, school_ids: set[int] | None = None, *, outside: int | None = None) -> set[str]:
        found: set[str] = set()
        for school_id, profile, functions in self.memberships:
            if school_ids is not None and school_id not in school_ids:
                continue
            if outside is not None and school_id == outside:
                continue
            found |= _audiences_of(profile, functions)
        return found


def _audiences_of(profile: str, functions: tuple[str, ...]) -> set[str]:
    """The audiences a membership belongs to, the same as _audience_q() says in SQL."""
    found = set()
    if profile == Profile.STUDENT:
        found.add(Audience.PUPILS.value)
    elif profile == Profile.RELATIVE:
        found.add(Audience.GUARDIANS.value)
    elif profile == Profile.TEACHER:
        found.add(Audience.TEACHERS.value)
    if profile in STAFF_PROFILES:
        if Function.DIRECTION in functions:
            found.add(Audience.DIRECTION.value)
        if Function.VIE_SCOLAIRE in functions:
            found.add(Audience.VIE_SCOLAIRE.value)
    if profile == Profile.PERSONNEL and not {Function.DIRECTION, Function.VIE_SCOLAIRE} & set(functions):
        found.add(Audience.OTHER_STAFF.value)
    return found


def _target_facts(person_id: int) -> _TargetFacts | None:
    left = Person.objects.filter(pk=person_id).values_list("left_at", flat=True)
    found = list(left)
    if not found:
        return None
    memberships = tuple(
        (school_id, profile, tuple(functions or ()))
        for school_id, profile, functions in Membership.objects.filter(person_id=person_id).values_list(
            "school_id", "profile", "functions"
        )
    )
    groups = frozenset(
        policy.current_enrolments().filter(student_id=person_id).values_list("group_id", flat=True)
    )
    guarded = frozenset(
        policy.current_enrolments()
        .filter(
            student_id__in=Guardianship.objects.filter(relative_id=person_id, legal_guardian=True).values(
                "student_id"
            )
        )
        .values_list("group_id", flat=True)
    )
    taught = frozenset(
        policy.current_teaching_assignments().filter(teacher_id=person_id).values_list("group_id", flat=True)
    )
    return _TargetFacts(person_id, found[0] is not None, memberships, groups, guarded, taught)


def _writer_group_ids(viewer: policy.Viewer) -> dict[tuple[int, str], frozenset[int]]:
    """{(school id, profile): ids of the writer's "class" groups there}, as _writer_groups() says in SQL."""
    result: dict[tuple[int, str], frozenset[int]] = {}
    own = set(viewer.group_ids) | set(viewer.taught_group_ids)
    school_of = dict(Group.objects.filter(pk__in=own).values_list("pk", "school_id")) if own else {}
    children_groups: list[tuple[int, int]] = []
    if viewer.child_ids:
        children_groups = list(
            Group.objects.filter(year__is_current=True, enrolments__student_id__in=viewer.child_ids)
            .values_list("pk", "school_id")
            .distinct()
        )
    for school_id, profiles in viewer.profiles.items():
        for profile in profiles:
            if profile == Profile.STUDENT:
                ids = {g for g in viewer.group_ids if school_of.get(g) == school_id}
            elif profile in STAFF_PROFILES:
                ids = {g for g in viewer.taught_group_ids if school_of.get(g) == school_id}
            elif profile == Profile.RELATIVE:
                ids = {g for g, s in children_groups if s == school_id}
            else:
                ids = set()
            result[(school_id, profile)] = frozenset(ids)
    return result


def _matches(cell: Cell, school_id: int, facts: _TargetFacts, groups: frozenset[int]) -> bool:
    _profile, audience, scope = cell
    if scope == Scope.SCHOOL:
        return audience in facts.audiences_in({school_id})
    if scope == Scope.OTHER_SCHOOLS:
        return audience in facts.audiences_in(outside=school_id)
    if audience == Audience.PUPILS:
        return bool(facts.groups & groups)
    if audience == Audience.GUARDIANS:
        return bool(facts.guarded_groups & groups)
    return bool(facts.taught_groups & groups)


def describe_cell(cell: Cell) -> str:
    profile, audience, scope = cell
    return _("%(who)s → %(audience)s, %(scope)s") % {
        "who": Profile(profile).label,
        "audience": Audience(audience).label,
        "scope": str(Scope(scope).label).lower(),
    }


def can_write(user: Any, person: Person | int) -> Verdict:
    """May `user` write to `person`, and which rule says so (or why not). A few queries: for one person at a
    time (the checker, a reply); use writable_among() for many."""
    viewer = policy.viewer_for(user)
    person_id = person if isinstance(person, int) else person.pk
    if viewer.person_id is None:
        return Verdict(False, _("Ce compte n’a aucun profil dans l’annuaire : il ne peut écrire à personne."))
    if person_id == viewer.person_id:
        return Verdict(False, _("On ne s’écrit pas à soi-même."))
    facts = _target_facts(person_id)
    if facts is None:
        return Verdict(False, _("Cette personne n’existe pas."))
    if facts.left:
        return Verdict(
            False, _("Cette personne a quitté l’établissement : plus personne ne peut lui écrire.")
        )
    rules = allowed_cells(viewer.school_ids)
    groups = _writer_group_ids(viewer)
    names = dict(School.objects.filter(pk__in=viewer.school_ids).values_list("pk", "name"))
    closed: list[tuple[int, Cell]] = []
    for school_id, profiles in sorted(viewer.profiles.items()):
        allowed = rules.get(school_id, frozenset())
        for profile in sorted(profiles):
            mine = groups.get((school_id, profile), frozenset())
            for scope in SCOPE_ORDER:
                for cell in cells_of(profile):
                    if cell[2] != scope or not _matches(cell, school_id, facts, mine):
                        continue
                    if cell in allowed:
                        return Verdict(
                            True,
                            _("Autorisé par la règle « %(rule)s » de l’établissement %(school)s.")
                            % {"rule": describe_cell(cell), "school": names.get(school_id, "")},
                            rule=(school_id, *cell),
                        )
                    closed.append((school_id, cell))
    if closed:
        school_id, cell = closed[0]
        return Verdict(
            False,
            _("Refusé : la règle « %(rule)s » n’est pas activée dans l’établissement %(school)s.")
            % {"rule": describe_cell(cell), "school": names.get(school_id, "")},
        )
    return Verdict(
        False,
        _(
            "Refusé : aucune règle ne relie ces deux personnes (pas de classe, d’établissement ou de "
            "profil en commun prévu par les règles)."
        ),
    )


# --- Kill-switches ---------------------------------------------------------------------------------------


def active_pauses(school: School | None) -> dict[str, SendingPause]:
    """{profile: pause} of a school (None: the platform-wide ones)."""
    return {p.profile: p for p in SendingPause.objects.filter(school=school).select_related("by")}


def may_send(user: Any) -> Verdict:
    """False while a kill-switch stops one of the user's profiles, in one of their schools or on the whole
    platform. One query, never cached: a switch stops every server process at the next request."""
    viewer = policy.viewer_for(user)
    if not viewer.profiles:
        return Verdict(True, _("L’envoi de messages est ouvert."))
    held = {(school_id, profile) for school_id, profiles in viewer.profiles.items() for profile in profiles}
    pauses = (
        SendingPause.objects.filter(
            Q(school__isnull=True) | Q(school_id__in=viewer.school_ids),
            profile__in={profile for _school, profile in held},
        )
        .select_related("school")
        .order_by("school_id", "profile")
    )
    for pause in pauses:
        label = Profile(pause.profile).label
        if pause.school_id is None:
            return Verdict(
                False,
                _("L’envoi de messages est coupé sur toute la plateforme pour le profil %(profile)s.")
                % {"profile": label},
            )
        if (pause.school_id, pause.profile) in held:
            return Verdict(
                False,
                _("L’envoi de messages est coupé pour le profil %(profile)s dans l’établissement %(school)s.")
                % {"profile": label, "school": pause.school.name if pause.school else ""},
            )
    return Verdict(True, _("L’envoi de messages est ouvert."))


# --- The trace of changes (rule C8) ----------------------------------------------------------------------

CHANGES_SHOWN = 10


def recent_changes(school: School | None, kinds: Iterable[str] | None = None) -> list[CommunicationChange]:
    """The last changes shown under the console's pages (the rules, the kill-switch, the pupils' reset)."""
    changes = CommunicationChange.objects.filter(school=school)
    if kinds is not None:
        changes = changes.filter(kind__in=kinds)
    return list(changes.select_related("actor")[:CHANGES_SHOWN])
