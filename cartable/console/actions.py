"""Every write made from the school admin console (house rule 1).

Each action checks again that the actor administers the school: views check it too, but an action must stay
safe when a later caller (a command, the API) forgets.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cartable.access import policy
from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.console.access import (
    can_manage_account,
    manageable_accounts,
    pupils_the_teacher_may_manage,
    teaches_primary_class,
)
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import Group, Person, School
from cartable.portal.models import AppSwitch, CorrectionRequest


def _require_admin(actor: Any, school: School) -> None:
    if not policy.admin_of(actor, school):
        raise PermissionDenied


def _require_manageable(actor: Any, school: School, target: User) -> None:
    _require_admin(actor, school)
    if not can_manage_account(actor, target):
        raise PermissionDenied


def _trace(actor: Any, school: School, targets: list[User], kind: str) -> None:
    AdminAction.objects.bulk_create(
        [AdminAction(school=school, actor=actor, target=target, kind=kind) for target in targets]
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
    _require_manageable(actor, school, target)
    code = accounts.issue_activation_code(target)
    _trace(actor, school, [target], AdminAction.Kind.NEW_CODE)
    return code


@transaction.atomic
def reset_password(actor: Any, school: School, target: User) -> str:
    _require_manageable(actor, school, target)
    code = accounts.reset_password_by_admin(target)
    _trace(actor, school, [target], AdminAction.Kind.RESET_PASSWORD)
    return code


@transaction.atomic
def codes_for_letters(actor: Any, school: School, users: list[User]) -> dict[int, str]:
    """Fresh codes for the accounts about to get a letter; their previous codes stop working."""
    _require_admin(actor, school)
    manageable = manageable_accounts(actor, users)
    if not manageable:
        return {}
    codes = accounts.issue_activation_codes(manageable)
    _trace(actor, school, manageable, AdminAction.Kind.LETTER)
    return codes


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
    # The launcher reads the switches from the cache kept under the directory version.
    versions.bump()


def set_mfa_required_for_staff(actor: Any, school: School, required: bool) -> None:
    _require_admin(actor, school)
    school.mfa_required_for_staff = required
    school.save(update_fields=["mfa_required_for_staff"])


def set_simple_pupil_passwords(actor: Any, school: School, allowed: bool) -> None:
    """The pupils of the school may choose the shorter password of cartable.accounts.passwords.PUPIL_RULE;
    passwords already chosen stay valid either way (the rule applies when one is chosen)."""
    _require_admin(actor, school)
    school.simple_pupil_passwords = allowed
    school.save(update_fields=["simple_pupil_passwords"])


def purge_old_admin_actions(now=None) -> int:
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
