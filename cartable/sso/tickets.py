"""CAS tickets: random, short-lived, single-use, kept in the shared cache (Redis in production).

Why the cache and not a table: a ticket lives ten seconds and is read once, at the busiest minute of the day
(8 a.m., every pupil opening Pronote through the ENT). In Redis it costs one SET and one GET+DEL, expires on
its own (no table growing, no nightly sweep), and every web process sees it. Losing Redis loses only the
tickets in flight: the person clicks again. Taking a ticket is `delete()`'s answer — true for one caller
only, even when two validations race — so a ticket serves once. Its age is also checked against the clock
(not only Redis's expiry), so that a ticket is refused past its lifetime whatever the cache does.

What outlives a ticket is kept elsewhere: the trace of the login (accounts.LoginEvent) and, for the single
logout, the services of the browser's session (in the session itself).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

SERVICE = "ST"
PROXY = "PT"
PROXY_GRANTING = "PGT"
IOU = "PGTIOU"


@dataclass(frozen=True)
class Ticket:
    kind: str
    user_id: int
    app_id: int
    service: str
    issued_at: float
    # When the person typed their password for this ticket (renew, or the login just before).
    new_login: bool = False
    authenticated_at: float = 0.0
    session_generation: int = 0
    # The chain of proxies, nearest first (proxy tickets and the proxy-granting tickets they come from).
    proxies: tuple[str, ...] = field(default_factory=tuple)


def _key(ticket: str) -> str:
    return f"sso:ticket:{ticket}"


def _lifetime(kind: str) -> int:
    if kind == PROXY_GRANTING:
        return settings.CAS_PROXY_GRANTING_TICKET_SECONDS
    return settings.CAS_SERVICE_TICKET_SECONDS


def new_id(kind: str) -> str:
    # 256 random bits: CAS asks for at least 32 characters after the prefix; this gives 43.
    return f"{kind}-{secrets.token_urlsafe(32)}"


def issue(ticket: Ticket) -> str:
    ticket_id = new_id(ticket.kind)
    lifetime = _lifetime(ticket.kind)
    cache.set(_key(ticket_id), _as_tuple(ticket), timeout=lifetime + 5)
    return ticket_id


def _as_tuple(ticket: Ticket) -> tuple:
    # Built-in types only in the cache: a class renamed in a release must not fail to unpickle.
    return (
        ticket.kind,
        ticket.user_id,
        ticket.app_id,
        ticket.service,
        ticket.issued_at,
        ticket.new_login,
        ticket.authenticated_at,
        ticket.session_generation,
        tuple(ticket.proxies),
    )


def _ticket(stored: tuple) -> Ticket:
    kind, user_id, app_id, service, issued_at, new_login, authenticated_at, generation, proxies = stored
    return Ticket(
        kind, user_id, app_id, service, issued_at, new_login, authenticated_at, generation, tuple(proxies)
    )


def _fresh(ticket: Ticket) -> bool:
    return 0 <= time.time() - ticket.issued_at <= _lifetime(ticket.kind)


def take(ticket_id: str, kinds: tuple[str, ...]) -> Ticket | None:
    """The ticket, consumed: None when unknown, already used, expired or of another kind."""
    if not ticket_id.startswith(tuple(f"{kind}-" for kind in kinds)) or len(ticket_id) > 256:
        return None
    key = _key(ticket_id)
    stored = cache.get(key)
    if stored is None or not cache.delete(key):
        return None
    ticket = _ticket(stored)
    return ticket if ticket.kind in kinds and _fresh(ticket) else None


def read_granting(ticket_id: str) -> Ticket | None:
    """A proxy-granting ticket, left in place (it serves many times while it lives)."""
    if not ticket_id.startswith(f"{PROXY_GRANTING}-") or len(ticket_id) > 256:
        return None
    stored = cache.get(_key(ticket_id))
    if stored is None:
        return None
    ticket = _ticket(stored)
    return ticket if ticket.kind == PROXY_GRANTING and _fresh(ticket) else None
