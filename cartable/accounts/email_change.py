"""A person's new email address is used only once they open the link sent to it.

The link carries a signed, timestamped token naming the account, the new address and the moment it was
typed: it works for EMAIL_CONFIRMATION_TIMEOUT seconds, for that account only (the person must be logged
in as its owner), and once: confirming, cancelling or typing another address changes what the token must
match. Until then the old address (if any) keeps receiving notifications and password reset links.

The writes are in cartable.accounts.actions (request_email_change, confirm_email_change…); the emails leave
from the background worker (cartable.accounts.tasks).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SALT = "cartable.accounts.email-confirmation"
# A person may ask for this many confirmation emails an hour: enough for typos, too few to pester a stranger.
SENDS_PER_HOUR = 5


def _state(user: Any) -> dict:
    """What a token must match. The address itself is not in it (links end up in server logs): a digest is
    enough, the signature vouching for the rest."""
    since = user.pending_email_since.isoformat() if user.pending_email_since else ""
    digest = hashlib.sha256(user.pending_email.lower().encode()).hexdigest()[:24]
    return {"u": user.pk, "e": digest, "t": since}


def make_token(user: Any) -> str:
    return signing.dumps(_state(user), salt=SALT)


def token_matches(user: Any, token: str) -> bool:
    """Is `token` a link sent for `user`'s pending address, still valid? False for an expired, forged, used
    or replaced token, and for anyone else's."""
    if not user.pending_email:
        return False
    try:
        found = signing.loads(token, salt=SALT, max_age=settings.EMAIL_CONFIRMATION_TIMEOUT)
    except signing.BadSignature:  # SignatureExpired too
        return False
    return found == _state(user)


def lifetime() -> str:
    hours = max(1, settings.EMAIL_CONFIRMATION_TIMEOUT // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("%(count)d jour", "%(count)d jours", days) % {"count": days}
    return ngettext("%(count)d heure", "%(count)d heures", hours) % {"count": hours}


def _sends_key(user: Any) -> str:
    return f"email-confirmation-sends:{user.pk}"


def may_send(user: Any) -> bool:
    return int(cache.get(_sends_key(user), 0)) < SENDS_PER_HOUR


def count_send(user: Any) -> None:
    key = _sends_key(user)
    if cache.add(key, 1, timeout=3600):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=3600)


def too_many_sends_message() -> str:
    return _("Trop de courriels de confirmation envoyés. Réessayez dans une heure.")
