"""The address of the person at the other end, as the login throttle and the login traces need it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_HOPS reverse proxies the address the outermost of them saw.

    Each proxy appends the address it received the request from to X-Forwarded-For; whatever stands
    further left was written by the client itself and is not believed. Without this, every request seems
    to come from the proxy: one person's failed logins would lock everyone out, and every trace would
    name the proxy.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote
