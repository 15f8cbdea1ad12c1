"""Every write made from the school admin console (house rule 1).

Each action checks again that the actor administers the school: views check it too, but an action must stay
safe when a later caller (a command, the API) forgets.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.communication.models import CommunicationChange
from cartable.console.access import (
    can_manage_account,
    current_classes_of,
    manageable_accounts,
    people_of,
    pupils_of,
    pupils_the_teacher_may_manage,
    teaches_primary_class,
)
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import Group, Guardianship, Membership, Person, Profile, School
from cartable.lib.errors import Refused
from cartable.notifications import actions as notifications
from cartable.portal import switches
from cartable.portal.models import AppSwitch, CorrectionRequest


def _require_admin(actor: Any, school: School) -> None:
    if not policy.admin_of(actor, school):
        raise PermissionDenied


def _require_manageable(actor: Any, school: School, target: User) -> None:
    _require_admin(actor, school)
    if not can_manage_account(actor, target):
        raise PermissionDenied


def _trace(actor: Any, school: School, targets: list[User], kind: str, detail: str = "") -> None:
    AdminAction.objects.bulk_create(
        [
            AdminAction(school=school, actor=actor, target=target, kind=kind, detail=detail[:200])
            for target in targets
        ]
    )


@transaction.atomic
def create_person_account(
    actor: Any, new: directory.NewPerson, children: list[Person] | None = None
) -> tuple[Person, str]:
    """A person created by hand, linked to their children, with a first activation code for the letter."""
    _require_admin(actor, new.school)
    person = directory.create_person(new)
    for child in children or []:
        directory.link_guardian(person, child, legal_guardian=True)
    code = accounts.issue_activation_code(person.user)
    _trace(actor, new.school, [person.user], AdminAction.Kind.CREATE)
    return person, code


@transaction.atomic
def block_account(actor: Any, school: School, target: User) -> None:
    _require_manageable(actor, school, target)
    accounts.block_user(target)
    _trace(actor, school, [target], AdminAction.Kind.BLOCK)


@transaction.atomic
def unblock_account(actor: Any, school: School, target: User) -> None:
    _require_manageable(actor, school, target)
    accounts.unblock_user(target)
    _trace(actor, school, [target], AdminAction.Kind.UNBLOCK)


@transaction.atomic
def record_objection(actor: Any, school: School, target: User) -> None:
    """The person (by letter, after their account closed) objects to keeping their contributions: the
    purge then deletes them with the account (rule C5)."""
    _require_manageable(actor, school, target)
    directory.set_keep_contributions(target.person, False)
    _trace(actor, school, [target], AdminAction.Kind.OBJECTION)


@transaction.atomic
def withdraw_objection(actor: Any, school: School, target: User) -> None:
    _require_manageable(actor, school, target)
    directory.set_keep_contributions(target.person, True)
    _trace(actor, school, [target], AdminAction.Kind.OBJECTION_WITHDRAWN)


@transaction.atomic
def new_activation_code(actor: Any, school: School, target: User) -> str:
    """A fresh code for an account that has not been activated (a lost letter); the old code stops working.

    An activated account would otherwise get a second way in beside its password, unknown to its owner:
    that is a reset, done by reset_account (which ends its password and sessions and tells its owner)."""
    _require_manageable(actor, school, target)
    if target.is_activated:
        raise Refused(_("Ce compte est déjà activé : réinitialisez-le plutôt."))
    code = accounts.issue_activation_code(target)
    _trace(actor, school, [target], AdminAction.Kind.NEW_CODE)
    return code


@transaction.atomic
def reset_account(actor: Any, school: School, target: User) -> str:
    """The password stops working, every session ends and a new activation code is made for the admin to
    hand over. The owner is told by e-mail when they have an address: a reset they did not ask for is how
    they would learn that someone else took their account."""
    _require_manageable(actor, school, target)
    code = accounts.reset_password_by_admin(target)
    _trace(actor, school, [target], AdminAction.Kind.RESET_PASSWORD)
    if target.email:
        from cartable.console.tasks import tell_owner_of_reset

        user_id, school_id = target.pk, school.pk
        transaction.on_commit(lambda: tell_owner_of_reset.enqueue(user_id, school_id))
    return code


@transaction.atomic
def codes_for_letters(actor: Any, school: School, users: list[User]) -> dict[int, str]:
    """Fresh codes for the accounts about to get a letter; their previous codes stop working. Only for
    accounts not activated yet (an activated one is reset, never given a code beside its password)."""
    _require_admin(actor, school)
    manageable = [user for user in manageable_accounts(actor, users) if not user.is_activated]
    if not manageable:
        return {}
    codes = accounts.issue_activation_codes(manageable)
    _trace(actor, school, manageable, AdminAction.Kind.LETTER)
    return codes


# --- Corrections of a person's details (names, address, phone, class, family) ---------------------------


@dataclass(frozen=True)
class PersonChanges:
    details: directory.PersonDetails
    phone: str  # normalized (notifications.sms.normalize_mobile), "" for none
    # Pupils only: their class this year in the school (None for none). Left alone when not `set_class`.
    classe: Group | None = None
    set_class: bool = False


def _field_labels() -> dict[str, str]:
    return {
        "first_name": _("prénom"),
        "last_name": _("nom"),
        "birth_date": _("date de naissance"),
        "email": _("adresse électronique"),
        "phone": _("téléphone"),
    }


@transaction.atomic
def edit_person(
    actor: Any,
    school: School,
    person: Person,
    changes: PersonChanges,
    *,
    correction: CorrectionRequest | None = None,
    answer: str = "",
) -> list[str]:
    """Correct a person's details; returns the words for what changed ("prénom, téléphone"…), traced.

    Names, address and phone belong to the person wherever they are known, and an address is a way into the
    account (password reset): only an admin who may manage the account changes them. A correction request
    of the person, given with `correction`, is answered as done in the same step."""
    _require_manageable(actor, school, person.user)
    if correction is not None and (
        correction.person_id != person.pk
        or correction.school_id != school.pk
        or correction.status != CorrectionRequest.Status.OPEN
    ):
        raise ValueError(correction)
    changed = directory.update_person(person, changes.details)
    if notifications.set_sms_phone(person.pk, changes.phone):
        changed.append("phone")
    labels = _field_labels()
    words = [labels[name] for name in changed]
    if words:
        _trace(actor, school, [person.user], AdminAction.Kind.EDIT, ", ".join(words))
    if changes.set_class:
        moved = _set_class(actor, school, person, changes.classe)
        if moved:
            words.append(_("classe"))
    if correction is not None:
        answer_correction_request(actor, correction, status=CorrectionRequest.Status.DONE, answer=answer)
    return words


def _set_class(actor: Any, school: School, pupil: Person, group: Group | None) -> bool:
    if group is not None and group.school_id != school.pk:
        raise PermissionDenied
    current = [
        e.group for e in pupil.enrolments.filter(group__in=current_classes_of(school)).select_related("group")
    ]
    if [g.pk for g in current] == ([group.pk] if group is not None else []):
        return False
    if not pupils_of(school).filter(pk=pupil.pk).exists():
        raise PermissionDenied  # only a pupil of the school is put in a class
    directory.move_to_class(pupil, school, group)
    before = ", ".join(g.name for g in current) or "—"
    _trace(actor, school, [pupil.user], AdminAction.Kind.CLASS, f"{before} → {group.name if group else '—'}")
    return True


def _require_family_change(actor: Any, school: School, relative: Person, student: Person) -> None:
    """A family link opens the pupil's data to the relative: the actor must be able to manage the pupil's
    account (a pupil of another school too is that school's business), and both must be people of the
    school. The relative's own account is not handed over by it, so theirs may be out of the actor's hands."""
    _require_admin(actor, school)
    if not pupils_of(school).filter(pk=student.pk).exists():
        raise PermissionDenied
    if not people_of(school).filter(pk=relative.pk).exists():
        raise PermissionDenied
    if not can_manage_account(actor, student.user):
        raise PermissionDenied


@transaction.atomic
def add_family_link(
    actor: Any,
    school: School,
    relative: Person,
    student: Person,
    *,
    relationship: str = "",
    legal_guardian: bool = True,
) -> Guardianship:
    _require_family_change(actor, school, relative, student)
    if relative.pk == student.pk:
        raise ValueError(relative)
    if not Membership.objects.filter(person=relative, school=school, profile=Profile.RELATIVE).exists():
        directory.add_membership(relative, school, Profile.RELATIVE)
    link = directory.link_guardian(
        relative, student, legal_guardian=legal_guardian, relationship=relationship
    )
    _trace(actor, school, [relative.user], AdminAction.Kind.LINK_ADDED, student.full_name)
    _trace(actor, school, [student.user], AdminAction.Kind.LINK_ADDED, relative.full_name)
    return link


@transaction.atomic
def remove_family_link(actor: Any, school: School, link: Guardianship) -> None:
    relative, student = link.relative, link.student
    _require_family_change(actor, school, relative, student)
    if directory.unlink_guardian(relative, student):
        _trace(actor, school, [relative.user], AdminAction.Kind.LINK_REMOVED, student.full_name)
        _trace(actor, school, [student.user], AdminAction.Kind.LINK_REMOVED, relative.full_name)


# Reads of a person's data in the console (rule C8: sensitive access is traced, not only changes).
READ_KINDS = (AdminAction.Kind.VIEW, AdminAction.Kind.VIEW_LOGINS)


def record_person_read(actor: Any, school: School, target: User, kind: str) -> None:
    """An admin opened a person's page or login history: who read whose data, and when."""
    _require_admin(actor, school)
    if kind not in READ_KINDS:
        raise ValueError(kind)
    _trace(actor, school, [target], kind)


@transaction.atomic
def answer_correction_request(
    actor: Any, request: CorrectionRequest, *, status: str, answer: str
) -> CorrectionRequest:
    _require_admin(actor, request.school)
    if status not in (CorrectionRequest.Status.DONE, CorrectionRequest.Status.REJECTED):
        raise ValueError(status)
    request.status = status
    request.answer = answer
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.save(update_fields=["status", "answer", "handled_by", "handled_at"])
    return request


@dataclass(frozen=True)
class SwitchCell:
    app_code: str
    profile: str
    enabled: bool


@transaction.atomic
def save_app_switches(actor: Any, school: School, cells: list[SwitchCell]) -> None:
    """One row per (app, profile) shown in the matrix, in one statement whatever the number of apps."""
    _require_admin(actor, school)
    AppSwitch.objects.bulk_create(
        [AppSwitch(school=school, app_code=c.app_code, profile=c.profile, enabled=c.enabled) for c in cells],
        update_conflicts=True,
        unique_fields=["school", "app_code", "profile"],
        update_fields=["enabled"],
    )
    # Pages, launcher and notifications read the switches from the cache kept under their version.
    switches.bump()


def set_mfa_required_for_staff(actor: Any, school: School, required: bool) -> None:
    _require_admin(actor, school)
    school.mfa_required_for_staff = required
    school.save(update_fields=["mfa_required_for_staff"])
    # Read on every request from the cache kept under the schools' version (cartable.accounts.mfa).
    versions.bump_schools([school.pk], school_rows=True)


def set_simple_pupil_passwords(actor: Any, school: School, allowed: bool) -> None:
    """The pupils of the school may choose the shorter password of cartable.accounts.passwords.PUPIL_RULE;
    passwords already chosen stay valid either way (the rule applies when one is chosen)."""
    _require_admin(actor, school)
    school.simple_pupil_passwords = allowed
    school.save(update_fields=["simple_pupil_passwords"])
    # Read from the school's row at each password choice; the school's facts are renewed all the same.
    versions.bump_schools([school.pk], school_rows=True)


def purge_old_admin_actions(now: datetime | None = None) -> int:
    """Rule C8: traces of what admins did are kept as long as login traces (TRACE_RETENTION_DAYS)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRACE_RETENTION_DAYS)
    deleted, _by_model = AdminAction.objects.filter(at__lt=cutoff).delete()
    return deleted


# Pupils' accounts of an école class, by the class's teacher (cartable.console.pupil_accounts). Traced like
# the admins' actions, with the teacher as the actor, so the school's ENT admin sees who reset what.


def _require_class_teacher(actor: Any, group: Group, pupils: list[Person]) -> list[User]:
    """The accounts among `pupils` the actor may manage as the class's teacher; PermissionDenied when the
    actor is not the teacher of this école class."""
    if not teaches_primary_class(actor, group):
        raise PermissionDenied
    return [pupil.user for pupil in pupils_the_teacher_may_manage(actor, group, pupils)]


@transaction.atomic
def reset_pupil_password_by_teacher(actor: Any, group: Group, pupil: Person) -> None:
    """The pupil's password stops working and their sessions end; their new card (a new activation code) is
    printed from the class page."""
    if not _require_class_teacher(actor, group, [pupil]):
        raise PermissionDenied
    accounts.reset_password_by_admin(pupil.user)
    _trace(actor, group.school, [pupil.user], AdminAction.Kind.RESET_PASSWORD)


@transaction.atomic
def reset_class_passwords_by_teacher(actor: Any, group: Group, pupils: list[Person]) -> int:
    """Every pupil of the class the teacher may manage gets a new card; returns how many were reset."""
    users = _require_class_teacher(actor, group, pupils)
    for user in users:
        user.password = make_password(None)
        user.session_generation += 1
    User.objects.bulk_update(users, ["password", "session_generation"])
    _trace(actor, group.school, users, AdminAction.Kind.RESET_PASSWORD)
    return len(users)


@transaction.atomic
def codes_for_pupil_cards(actor: Any, group: Group, pupils: list[Person]) -> dict[int, str]:
    """Fresh codes for the cards of the pupils who have no password (new, or just reset) and whom the
    teacher may manage; their previous codes stop working. {user id: code}."""
    users = [user for user in _require_class_teacher(actor, group, pupils) if not user.is_activated]
    if not users:
        return {}
    codes = accounts.issue_activation_codes(users)
    _trace(actor, group.school, users, AdminAction.Kind.LETTER)
    return codes


@dataclass(frozen=True)
class PupilsReset:
    reset: int  # accounts whose password and sessions were ended, with a new activation code
    skipped: int  # accounts the actor may not manage (their own, or reaching a school they do not administer)


@transaction.atomic
def reset_pupil_passwords(actor: Any, school: School, group: Group | None = None) -> PupilsReset:
    """After hijacked pupil accounts: every pupil of the school (or of one class) loses their password and
    every open session, and gets a new activation code. Their accounts are no longer activated, so the
    console's letters page prints their new letters (with yet another code, as printing always does).

    A fixed number of statements whatever the number of pupils."""
    _require_admin(actor, school)
    pupils = pupils_of(school)
    if group is not None:
        if group.school_id != school.pk:
            raise PermissionDenied
        pupils = pupils.filter(enrolments__group=group)
    users = list(User.objects.filter(pk__in=pupils.values("user_id")))
    targets = manageable_accounts(actor, users)
    if targets:
        ids = [u.pk for u in targets]
        # One unusable password for all: it can never be typed, and the accounts need a new activation.
        User.objects.filter(pk__in=ids).update(
            password=make_password(None), session_generation=F("session_generation") + 1
        )
        accounts.issue_activation_codes(targets)
        _trace(actor, school, targets, AdminAction.Kind.RESET_PASSWORD)
    detail = f"{group.name} — {len(targets)}" if group is not None else str(len(targets))
    # Traced with the kill-switches it usually follows, on the communication pages too (rule C8).
    CommunicationChange.objects.create(
        school=school, actor=actor, kind=CommunicationChange.Kind.PUPILS_RESET, detail=detail[:200]
    )
    return PupilsReset(reset=len(targets), skipped=len(users) - len(targets))
