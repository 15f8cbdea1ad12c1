"""The connected applications in a person's lifecycle (cartable.lib.lifecycle). A school's choice names
the admin who made it: the school's record, kept under "Ancien compte". CAS tickets live seconds in the cache
and go on their own; the logins to applications are login traces (accounts.LoginEvent), forgotten and aged
there. The OpenID Connect provider's rows about a person (django-oauth-toolkit's codes, access, refresh and
ID tokens, and the pairwise `sub` each application knows them by) are forgotten at the purge; expired tokens
are deleted every night."""

from __future__ import annotations

from datetime import datetime

from oauth2_provider.models import (
    AccessToken,
    Application,
    DeviceGrant,
    Grant,
    IDToken,
    RefreshToken,
    clear_expired,
)

from cartable.lib.lifecycle import Fate, Forgetting
from cartable.sso.models import AppEnablement, PairwiseSubject

PERSONAL_DATA = {
    AppEnablement: Fate.RECORD,
    PairwiseSubject: Fate.FORGOTTEN,
    Grant: Fate.FORGOTTEN,
    AccessToken: Fate.FORGOTTEN,
    RefreshToken: Fate.FORGOTTEN,
    IDToken: Fate.FORGOTTEN,
    # The device flow is not offered; declared all the same.
    DeviceGrant: Fate.FORGOTTEN,
    # Cartable's clients belong to no user (made by the platform admin's registration): nothing to forget.
    Application: Fate.RECORD,
}


def forget(people: Forgetting) -> None:
    users = list(people.user_ids)
    RefreshToken.objects.filter(user_id__in=users).delete()
    AccessToken.objects.filter(user_id__in=users).delete()
    IDToken.objects.filter(user_id__in=users).delete()
    Grant.objects.filter(user_id__in=users).delete()
    DeviceGrant.objects.filter(user_id__in=users).delete()
    PairwiseSubject.objects.filter(user_id__in=users).delete()


def nightly(now: datetime) -> dict[str, int]:
    before = AccessToken.objects.count() + Grant.objects.count()
    clear_expired()
    return {"oidc_expired_tokens": before - AccessToken.objects.count() - Grant.objects.count()}
