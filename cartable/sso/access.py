"""Who may use which connected application, and the lookups of the pages.

A person may use an application when, in one of their schools, they hold a profile that the application is
made for (the platform admin's registration) and that the school enabled it for (its ENT admin). What the
pages and the CAS server ask about the applications comes from one cached fact (cartable.sso.versions), so
the launcher and a ticket cost no query for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Q, QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.directory.models import School
from cartable.lib import facts
from cartable.lib.params import int_or_404
from cartable.sso import versions
from cartable.sso.models import AppEnablement, ConnectedApp


@dataclass(frozen=True)
class AppFacts:
    """What the launcher and the CAS server need about one application, from the cache."""

    pk: int
    name: str
    description: str
    icon: str
    protocol: str
    prefixes: tuple[str, ...]
    opening_url: str
    attributes: tuple[str, ...]
    single_logout: bool
    proxy_allowed: bool
    # school id -> the profiles the school enabled it for (already within the application's own profiles)
    enabled: dict[int, frozenset[str]]


def _load() -> list[tuple[Any, ...]]:
    enabled: dict[int, dict[int, list[str]]] = {}
    for app_id, school_id, profiles in AppEnablement.objects.values_list("app_id", "school_id", "profiles"):
        enabled.setdefault(app_id, {})[school_id] = list(profiles)
    rows = []
    for app in ConnectedApp.objects.filter(active=True).prefetch_related("schools"):
        allowed_schools = {s.pk for s in app.schools.all()}
        offered = set(app.offered_profiles())
        by_school = {
            school_id: sorted(set(profiles) & offered)
            for school_id, profiles in enabled.get(app.pk, {}).items()
            if not allowed_schools or school_id in allowed_schools
        }
        rows.append(
            (
                app.pk,
                app.name,
                app.description,
                app.icon,
                app.protocol,
                tuple(app.service_prefixes()),
                app.opening_url(),
                tuple(app.attributes),
                app.single_logout,
                app.proxy_allowed,
                {s: p for s, p in by_school.items() if p},
            )
        )
    return rows


def _build(rows: list[tuple[Any, ...]]) -> tuple[AppFacts, ...]:
    return tuple(
        AppFacts(*row[:10], enabled={s: frozenset(p) for s, p in row[10].items()})  # type: ignore[misc]
        for row in rows
    )


def active_apps() -> tuple[AppFacts, ...]:
    return facts.cached("sso:apps", [versions.APPS_KEY], _load, _build)


def schools_using(user: Any, app: AppFacts) -> list[int]:
    """The schools where `user` may use `app` (a profile held there that the school enabled it for)."""
    viewer = policy.viewer_for(user)
    return sorted(
        school_id
        for school_id, profiles in viewer.profiles.items()
        if profiles & app.enabled.get(school_id, frozenset())
    )


def can_use(user: Any, app: AppFacts) -> bool:
    return bool(schools_using(user, app))


def apps_usable_by(user: Any) -> list[AppFacts]:
    """The applications of the user's launcher."""
    return [app for app in active_apps() if can_use(user, app)]


def _split(url: str) -> tuple[str, str, int | None, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname.lower(), port or default, parts.path or "/"


def service_matches(service: str, prefix: str) -> bool:
    """Same scheme, host and port, and a path starting with the prefix's path at a "/" boundary."""
    asked, registered = _split(service), _split(prefix)
    if asked is None or registered is None or asked[:3] != registered[:3]:
        return False
    path, root = asked[3], registered[3]
    return path == root or path.startswith(root if root.endswith("/") else root + "/")


def app_for_service(service: str) -> AppFacts | None:
    """The registered, active application this service address belongs to (the longest prefix wins)."""
    best: tuple[int, AppFacts] | None = None
    for app in active_apps():
        for prefix in app.prefixes:
            if service_matches(service, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), app)
    return best[1] if best else None


# --- The platform admin's pages ---------------------------------------------------------------------------


def may_register_apps(user: Any) -> bool:
    return policy.is_platform_admin(user)


def apps_visible_to(user: Any) -> QuerySet[ConnectedApp]:
    if not may_register_apps(user):
        return ConnectedApp.objects.none()
    return ConnectedApp.objects.prefetch_related("schools")


def app_or_404(user: Any, raw_id: Any) -> ConnectedApp:
    app = apps_visible_to(user).filter(pk=int_or_404(raw_id)).first()
    if app is None:
        raise Http404
    return app


# --- The console (the school is already the administered one) ---------------------------------------------


def apps_of(school: School) -> QuerySet[ConnectedApp]:
    """The active applications this school may enable: made for every school or for this one."""
    return (
        ConnectedApp.objects.filter(active=True)
        .filter(_everywhere_or(school))
        .distinct()
        .order_by("name", "pk")
    )


def _everywhere_or(school: School) -> Q:
    return Q(schools=None) | Q(schools=school)


def app_of_school_or_404(school: School, raw_id: Any) -> ConnectedApp:
    app = apps_of(school).filter(pk=int_or_404(raw_id)).first()
    if app is None:
        raise Http404
    return app


def enablements_of(school: School) -> dict[int, AppEnablement]:
    return {e.app_id: e for e in AppEnablement.objects.filter(school=school)}
