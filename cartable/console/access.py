"""Who may do what in the school admin console, built on the one access policy (cartable.access.policy).

A school is reached by its UAI; a person, a class or a correction request by its id *inside that school*.
Anything that is not administered by the user, or not part of the school, answers 404 so that the console
reveals neither the existence of other schools' people nor who administers what.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.access import policy
from cartable.accounts.models import User
from cartable.directory.models import Function, Group, GroupKind, Membership, Person, Profile, School
from cartable.directory.ordering import fold
from cartable.lib.params import int_or_404
from cartable.portal.models import CorrectionRequest


def administered_school_or_404(user: Any, uai: str) -> School:
    school = School.objects.filter(uai=uai).first()
    if school is None or not policy.admin_of(user, school):
        raise Http404
    return school


def people_of(school: School) -> QuerySet[Person]:
    """Everyone holding a profile in the school (a person with two profiles there appears once)."""
    return Person.objects.filter(pk__in=Membership.objects.filter(school=school).values("person_id"))


def person_of_school_or_404(school: School, person_id: int) -> Person:
    person = people_of(school).select_related("user").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


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


def correction_request_or_404(school: School, request_id: int) -> CorrectionRequest:
    found = CorrectionRequest.objects.filter(school=school, pk=request_id).select_related("person").first()
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
