"""Accounts in a person's lifecycle (cartable.lib.lifecycle): their charter acceptances, login traces and
second factors go at the purge; login traces older than TRACE_RETENTION_DAYS go every night (rule C8)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.admin.models import LogEntry
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts.actions import purge_old_traces
from cartable.accounts.models import CharterAcceptance, LoginEvent
from cartable.lib.lifecycle import Fate, Forgetting

PERSONAL_DATA = {
    CharterAcceptance: Fate.FORGOTTEN,
    LoginEvent: Fate.FORGOTTEN,
    TOTPDevice: Fate.FORGOTTEN,
    StaticDevice: Fate.FORGOTTEN,
    # Django admin's history of the platform admins' edits (the admin site is the accounts app's).
    LogEntry: Fate.RECORD,
}


def forget(people: Forgetting) -> None:
    ids = people.user_ids
    LoginEvent.objects.filter(user_id__in=ids).delete()
    CharterAcceptance.objects.filter(user_id__in=ids).delete()
    TOTPDevice.objects.filter(user_id__in=ids).delete()
    StaticDevice.objects.filter(user_id__in=ids).delete()


def nightly(now: datetime) -> dict[str, int]:
    return {"login_traces": purge_old_traces(now)}
