"""Every write about communication rules and kill-switches (house rule 1). Each action checks again that the
actor administers the school (or the platform), or for the kill-switch that they hold it
(policy.may_pause_messaging), and leaves a trace (rule C8)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cartable.access import policy
from cartable.communication.models import CommunicationChange, CommunicationRule, SendingPause
from cartable.communication.rules import ALL_CELLS, Cell, bump_rules_version
from cartable.directory.models import Profile, School


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


def purge_old_changes(now: datetime | None = None) -> int:
    """Rule C8: traces of changes to the rules are kept as long as the other admin traces
    (TRACE_RETENTION_DAYS, manage.py purge_old_traces)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRACE_RETENTION_DAYS)
    deleted, _by_model = CommunicationChange.objects.filter(at__lt=cutoff).delete()
    return deleted
