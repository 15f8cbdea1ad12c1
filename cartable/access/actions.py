"""Every write about communication rules, kill-switches and the bulk password reset of a school's pupils
(house rule 1). Each action checks again that the actor administers the school (or the platform), or for the
kill-switch that they hold it (policy.may_pause_messaging), and leaves a trace (rule C8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cartable.access import policy
from cartable.access.communication import ALL_CELLS, Cell, bump_rules_version
from cartable.access.models import CommunicationChange, CommunicationRule, SendingPause
from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.console.access import manageable_accounts, pupils_of
from cartable.console.models import AdminAction
from cartable.directory.models import Group, Profile, School


def _require_admin(actor: Any, school: School) -> None:
    if not policy.admin_of(actor, school):
        raise PermissionDenied


def _require_pause_right(actor: Any, school: School) -> None:
    if not policy.may_pause_messaging(actor, school):
        raise PermissionDenied


def _require_platform_admin(actor: Any) -> None:
    if not policy.is_platform_admin(actor):
        raise PermissionDenied


def _trace(actor: Any, school: School | None, kind: str, detail: str = "") -> None:
    CommunicationChange.objects.create(school=school, actor=actor, kind=kind, detail=detail[:200])


@transaction.atomic
def save_rules(actor: Any, school: School, allowed: set[Cell]) -> None:
    """The whole matrix as the ADML ticked it: one row per cell, in one statement."""
    _require_admin(actor, school)
    unknown = set(allowed) - set(ALL_CELLS)
    if unknown:
        raise ValueError(sorted(unknown))
    CommunicationRule.objects.bulk_create(
        [
            CommunicationRule(
                school=school, profile=profile, audience=audience, scope=scope, allowed=cell in allowed
            )
            for cell in ALL_CELLS
            for profile, audience, scope in [cell]
        ],
        update_conflicts=True,
        unique_fields=["school", "profile", "audience", "scope"],
        update_fields=["allowed"],
    )
    _trace(actor, school, CommunicationChange.Kind.RULES_SAVED)
    bump_rules_version(school.pk)


@transaction.atomic
def reset_rules(actor: Any, school: School) -> None:
    """Back to the defaults: the school's rows are deleted."""
    _require_admin(actor, school)
    CommunicationRule.objects.filter(school=school).delete()
    _trace(actor, school, CommunicationChange.Kind.RULES_RESET)
    bump_rules_version(school.pk)


def _check_profile(profile: str) -> None:
    if profile not in Profile.values:
        raise ValueError(profile)


@transaction.atomic
def pause_sending(actor: Any, school: School | None, profile: str) -> bool:
    """Stop everyone with `profile` in `school` (None: every school, platform admin only) from sending.
    Returns False when it was already stopped. Read by may_send() on the next request: nothing to bump."""
    _check_profile(profile)
    if school is None:
        _require_platform_admin(actor)
    else:
        _require_pause_right(actor, school)
    if SendingPause.objects.filter(school=school, profile=profile).exists():
        return False
    SendingPause.objects.create(school=school, profile=profile, by=actor)
    _trace(actor, school, CommunicationChange.Kind.PAUSED, str(Profile(profile).label))
    return True


@transaction.atomic
def resume_sending(actor: Any, school: School | None, profile: str) -> bool:
    _check_profile(profile)
    if school is None:
        _require_platform_admin(actor)
    else:
        _require_pause_right(actor, school)
    deleted, _by_model = SendingPause.objects.filter(school=school, profile=profile).delete()
    if not deleted:
        return False
    _trace(actor, school, CommunicationChange.Kind.RESUMED, str(Profile(profile).label))
    return True


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
        AdminAction.objects.bulk_create(
            [
                AdminAction(school=school, actor=actor, target=target, kind=AdminAction.Kind.RESET_PASSWORD)
                for target in targets
            ]
        )
    detail = f"{group.name} — {len(targets)}" if group is not None else str(len(targets))
    _trace(actor, school, CommunicationChange.Kind.PUPILS_RESET, detail)
    return PupilsReset(reset=len(targets), skipped=len(users) - len(targets))


def purge_old_changes(now: datetime | None = None) -> int:
    """Rule C8: traces of changes to the rules are kept as long as the other admin traces
    (TRACE_RETENTION_DAYS, manage.py purge_old_traces)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRACE_RETENTION_DAYS)
    deleted, _by_model = CommunicationChange.objects.filter(at__lt=cutoff).delete()
    return deleted
