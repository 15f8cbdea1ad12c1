"""Login throttling on the shared cache (Redis in production): per account name and per client IP.

Counters are keyed by the *name typed*, whether or not such an account exists, so that a blocked
login says nothing about the account's existence.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def is_throttled(username: str, ip: str) -> bool:
    return (
        _count(_key("account", username)) >= settings.LOGIN_FAILURES_PER_ACCOUNT
        or _count(_key("ip", ip)) >= settings.LOGIN_FAILURES_PER_IP
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
    _bump(_key("ip", ip))


def reset_request_allowed(ip: str) -> bool:
    """Password-reset emails per client address and window: no mail bombing, no probing of addresses."""
    return _count(_key("reset-ip", ip)) < settings.PASSWORD_RESET_REQUESTS_PER_IP


def record_reset_request(ip: str) -> None:
    _bump(_key("reset-ip", ip))


def clear_account(username: str) -> None:
    cache.delete(_key("account", username))
