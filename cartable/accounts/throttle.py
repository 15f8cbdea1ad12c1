"""Login throttling on the shared cache (Redis in production): per account name, per client address and
account name, and per client address.

Counters are keyed by the *name typed*, whether or not such an account exists, so that a blocked
login says nothing about the account's existence.

A whole school may reach Cartable from one address (a NAT, a regional network): pupils' typing mistakes
there must not lock everyone out. So the lockout of an address counts the failures of each name typed from
it (LOGIN_FAILURES_PER_IP), and only a much higher ceiling (LOGIN_FAILURES_PER_ADDRESS) stops the address
as a whole, against someone trying many names from one machine.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _address_and_name(ip: str, username: str) -> str:
    # A NUL cannot be typed in a login nor appear in an address: "a" + "bc" never meets "ab" + "c".
    return _key("ip-account", f"{ip}\0{username.strip().lower()}")


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def is_throttled(username: str, ip: str) -> bool:
    counts = cache.get_many([_key("account", username), _address_and_name(ip, username), _key("ip", ip)])
    return (
        int(counts.get(_key("account", username)) or 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT
        or int(counts.get(_address_and_name(ip, username)) or 0) >= settings.LOGIN_FAILURES_PER_IP
        or int(counts.get(_key("ip", ip)) or 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
    )


def _bump(key: str) -> None:
    # add() starts the window; incr() keeps its expiry, so the window is fixed from the first event.
    if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def record_failure(username: str, ip: str) -> None:
    _bump(_key("account", username))
    _bump(_address_and_name(ip, username))
    _bump(_key("ip", ip))


def reset_request_allowed(ip: str) -> bool:
    """Password-reset emails per client address and window: no mail bombing, no probing of addresses."""
    return _count(_key("reset-ip", ip)) < settings.PASSWORD_RESET_REQUESTS_PER_IP


def record_reset_request(ip: str) -> None:
    _bump(_key("reset-ip", ip))


def clear_account(username: str, ip: str | None = None) -> None:
    """After a success: the account's failures are forgotten (and, when known, those of its name from
    this address). The address's own count is not: a success proves nothing about the other names."""
    keys = [_key("account", username)]
    if ip is not None:
        keys.append(_address_and_name(ip, username))
    cache.delete_many(keys)
