"""Who may do what in the school admin console, built on the one access policy (cartable.access.policy).

A school is reached by its UAI; a person, a class or a correction request by its id *inside that school*.
Anything that is not administered by the user, or not part of the school, answers 404 so that the console
reveals neither the existence of other schools' people nor who administers what.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.access import policy
from cartable.accounts.models import User
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
)
from cartable.directory.ordering import fold
from cartable.lib.params import int_or_404
from cartable.portal.models import CorrectionRequest


def administered_school_or_404(
    user: Any, uai: str, allowed: Callable[[Any, School], bool] = policy.admin_of
) -> School:
    """The school of the UAI if the user administers it (or passes another check of the policy)."""
    school = School.objects.filter(uai=uai).first()
    if school is None or not allowed(user, school):
        raise Http404
    return school


def people_of(school: School) -> QuerySet[Person]:
    """Everyone holding a profile in the school (a person with two profiles there appears once)."""
    return Person.objects.filter(pk__in=Membership.objects.filter(school=school).values("person_id"))


def person_of_school_or_404(school: School, person_id: Any) -> Person:
    person = people_of(school).select_related("user").filter(pk=int_or_404(person_id)).first()
    if person is None:
        raise Http404
    return person


def family_link_or_404(school: School, person: Person, link_id: Any) -> Guardianship:
    """A legal link of `person` with someone else of the school (both sides members of it), with both
    accounts; a link reaching outside the school answers 404."""
    members = Membership.objects.filter(school=school).values("person_id")
    link = (
        Guardianship.objects.filter(pk=int_or_404(link_id), relative__in=members, student__in=members)
        .filter(Q(relative=person) | Q(student=person))
        .select_related("relative__user", "student__user")
        .first()
    )
    if link is None:
        raise Http404
    return link


def current_classes_of(school: School) -> QuerySet[Group]:
    return Group.objects.filter(school=school, kind=GroupKind.CLASS, year__is_current=True).order_by(
        "level", "name"
    )


def class_of_school_or_404(school: School, group_id: Any) -> Group:
    group = current_classes_of(school).filter(pk=int_or_404(group_id)).first()
    if group is None:
        raise Http404
    return group


def pupils_of(school: School) -> QuerySet[Person]:
    return Person.objects.filter(
        pk__in=Membership.objects.filter(school=school, profile=Profile.STUDENT).values("person_id")
    )


def possible_duplicates(
    school: School, *, first_name: str, last_name: str, birth_date: Any, email: str
) -> list[Person]:
    """People of the school who may be the person about to be created: the same names (accents and case
    aside) and birth date, or the same e-mail address. Only this school's: the console shows no one else."""
    found: dict[int, Person] = {}
    if birth_date is not None:
        wanted = (fold(first_name), fold(last_name))
        for person in people_of(school).filter(birth_date=birth_date).select_related("user"):
            if (fold(person.first_name), fold(person.last_name)) == wanted:
                found[person.pk] = person
    if email:
        for person in people_of(school).filter(user__email__iexact=email.strip()).select_related("user"):
            found[person.pk] = person
    return sorted(found.values(), key=lambda p: (p.last_name, p.first_name, p.pk))


def correction_request_or_404(school: School, request_id: Any) -> CorrectionRequest:
    found = (
        CorrectionRequest.objects.filter(school=school, pk=int_or_404(request_id))
        .select_related("person")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- Who may manage an account ------------------------------------------------------------------------
#
# Managing an account (a new activation code, a password reset, blocking, an e-mail address, a bulk reset)
# hands the actor a way into it, or out of it. An account reaches every school its owner belongs to: a
# parent of a pupil in the école and another in the collège reads both with one password. So an ADML may
# manage an account only when every school the person belongs to is one they administer; otherwise taking
# the account over would open another school to them. The platform admin may manage any account but their
# own. Every action of the console, the bulk reset and the imports go through manageable_accounts().


def schools_of_accounts(users: list[User]) -> dict[int, set[int]]:
    """{user id: ids of the schools the account reaches}: where the person holds a profile, and where a
    child of theirs does (a guardian reads their child's school even without a profile there). Two queries."""
    if not users:
        return {}
    reached: dict[int, set[int]] = {}
    for user_id, school_id in Membership.objects.filter(person__user__in=users).values_list(
        "person__user_id", "school_id"
    ):
        reached.setdefault(user_id, set()).add(school_id)
    for user_id, school_id in Membership.objects.filter(
        person__guardians__relative__user__in=users
    ).values_list("person__guardians__relative__user_id", "school_id"):
        reached.setdefault(user_id, set()).add(school_id)
    return reached


def belongs_only_to(target: User, school_ids: set[int]) -> bool:
    """Does `target`'s account reach these schools and no other? A plain predicate for every rule that
    hands an account over (the ADML's console, a teacher resetting a pupil's password)."""
    reached = schools_of_accounts([target]).get(target.pk, set())
    return bool(reached) and reached <= school_ids


def manageable_accounts(actor: Any, targets: list[User]) -> list[User]:
    """The accounts among `targets` that `actor` may manage (see can_manage_account), in two queries."""
    others = [t for t in targets if t.pk != getattr(actor, "pk", None)]
    if policy.is_platform_admin(actor):
        return others
    others = [t for t in others if not t.is_platform_admin]
    actor_schools = policy.viewer_for(actor).schools_with_function(Function.ADML)
    if not actor_schools:
        return []
    reached = schools_of_accounts(others)
    return [t for t in others if reached.get(t.pk) and reached[t.pk] <= actor_schools]


def can_manage_account(actor: Any, target: User) -> bool:
    """May `actor` block, reset, change the address of or re-issue a code for `target`'s account?

    Not one's own account (an admin would lock themselves out), never the platform admin's, and, for a
    school's ADML, only an account whose schools are all administered by them (see above)."""
    return bool(manageable_accounts(actor, [target]))


@dataclass(frozen=True)
class ManageRefusal:
    """Why the console shows an account read-only, in words for the admin."""

    own_account: bool = False
    platform_admin: bool = False
    # The schools the account reaches that the actor does not administer.
    other_schools: tuple[School, ...] = ()

    @property
    def message(self) -> str:
        if self.own_account:
            return _("C’est votre propre compte : un autre administrateur peut le modifier.")
        if self.platform_admin:
            return _("C’est le compte de l’administrateur de la plateforme : vous ne pouvez pas le modifier.")
        if not self.other_schools:
            return _("Ce compte ne peut pas être modifié depuis la console.")
        names = ", ".join(school.name for school in self.other_schools)
        return ngettext(
            "Cette personne est aussi rattachée à l’établissement %(schools)s, que vous n’administrez pas : "
            "son compte ne peut être modifié que par l’administrateur de la plateforme, ou par un "
            "administrateur ENT de tous ses établissements.",
            "Cette personne est aussi rattachée aux établissements %(schools)s, que vous n’administrez "
            "pas : son compte ne peut être modifié que par l’administrateur de la plateforme, ou par un "
            "administrateur ENT de tous ses établissements.",
            len(self.other_schools),
        ) % {"schools": names}


def management_refusal(actor: Any, target: User) -> ManageRefusal | None:
    """None when `actor` may manage `target`'s account, else why not (for the read-only console page)."""
    if can_manage_account(actor, target):
        return None
    if target.pk == getattr(actor, "pk", None):
        return ManageRefusal(own_account=True)
    if target.is_platform_admin:
        return ManageRefusal(platform_admin=True)
    actor_schools = policy.viewer_for(actor).schools_with_function(Function.ADML)
    outside = schools_of_accounts([target]).get(target.pk, set()) - actor_schools
    return ManageRefusal(other_schools=tuple(School.objects.filter(pk__in=outside).order_by("name")))


# --- Pupils' accounts of an école class, looked after by the class's teacher ----------------------------
# Young pupils forget passwords and lose cards every week: their teacher resets them and prints new cards
# from the class (cartable.console.pupil_accounts), without waiting for the school's ENT admin. The same
# idea as for admins: only accounts whose every membership is one the teacher's class stands for.


def teaches_primary_class(user: Any, group: Group) -> bool:
    """`group` is a class of an école this year, and `user` teaches it there."""
    viewer = policy.viewer_for(user)
    return (
        group.pk in viewer.taught_group_ids
        and group.kind == GroupKind.CLASS
        and group.school.kind == SchoolKind.PRIMARY
        and viewer.has_profile(group.school_id, Profile.TEACHER)
    )


def taught_primary_class_or_404(user: Any, raw_id: Any) -> Group:
    """A class of an école that `user` teaches this year; any other class (not theirs, a collège's, last
    year's) answers 404."""
    group_id = int_or_404(raw_id)
    if group_id not in policy.viewer_for(user).taught_group_ids:
        raise Http404
    group = Group.objects.select_related("school", "year").filter(pk=group_id, year__is_current=True).first()
    if group is None or not teaches_primary_class(user, group):
        raise Http404
    return group


def pupils_of_class(group: Group) -> QuerySet[Person]:
    return (
        Person.objects.filter(pk__in=Enrolment.objects.filter(group=group).values("student_id"))
        .select_related("user")
        .order_by("last_name", "first_name")
    )


def pupil_of_class_or_404(group: Group, person_id: Any) -> Person:
    pupil = pupils_of_class(group).filter(pk=int_or_404(person_id)).first()
    if pupil is None:
        raise Http404
    return pupil


def pupils_the_teacher_may_manage(actor: Any, group: Group, pupils: list[Person]) -> list[Person]:
    """The pupils among `pupils` (enrolled in `group`) whose password the class's teacher may reset: pupils
    of this école and nothing else, not blocked (the block is the admin's decision), not the teacher."""
    if not teaches_primary_class(actor, group):
        return []
    enrolled = set(Enrolment.objects.filter(group=group).values_list("student_id", flat=True))
    ids = [pupil.pk for pupil in pupils if pupil.pk in enrolled]
    # Another school, or another profile (a pupil who is also a parent): that school's admin acts, not us.
    elsewhere = set(
        Membership.objects.filter(person_id__in=ids)
        .exclude(school_id=group.school_id, profile=Profile.STUDENT)
        .values_list("person_id", flat=True)
    )
    return [
        pupil
        for pupil in pupils
        if pupil.pk in enrolled
        and pupil.pk not in elsewhere
        and not pupil.user.is_blocked
        and pupil.user_id != getattr(actor, "pk", None)
        and not pupil.user.is_platform_admin
    ]
