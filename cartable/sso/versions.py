"""The connected applications and each school's choices, kept as one cached fact (cartable.lib.facts) under
`sso:apps`, bumped by every write of cartable.sso.actions: the launcher's tiles and the CAS server's service
check cost no query while nothing changed."""

from __future__ import annotations

from cartable.lib import facts

APPS_KEY = "sso:apps"


def bump() -> None:
    facts.bump([APPS_KEY])


facts.covers("sso:", ["sso.ConnectedApp", "sso.AppEnablement"])
