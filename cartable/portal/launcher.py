"""Which apps a user sees in the launcher, and which widgets fill their home page.

An app is shown when the user holds, in one of their schools, a profile the app is made for and the
school's admin has not switched it off for that profile (AppSwitch). The switches are read from the shared
cache under their own version, which every switch change bumps. A switched-off app's widgets go with its
tile, and for a guardian's chosen child, the child's school decides (cartable.portal.switches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import RequestContext
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from cartable.access.policy import Viewer, viewer_for
from cartable.lib.urls import icon_url
from cartable.portal.registry import PortalApp, Registry, Widget, registry
from cartable.portal.switches import Switches, app_is_off, app_is_on_for_child, switchable_app, switched_off


@dataclass(frozen=True, slots=True)
class LauncherEntry:
    """A tile of the launcher, its texts in the reader's language: plain strings, since a lazy translation
    costs the template several lookups each time it is printed, and every home page prints a dozen."""

    app: PortalApp
    url: str
    name: str
    description: str
    icon_url: str


def app_allowed(app: PortalApp, viewer: Viewer, off: Switches) -> bool:
    held = [(school_id, profile) for school_id, profiles in viewer.profiles.items() for profile in profiles]
    if not held:
        # Someone with no school (the platform admin): only apps made for everyone.
        return not app.profiles
    return any(
        (not app.profiles or profile in app.profiles) and (school_id, app.code, profile) not in off
        for school_id, profile in held
    )


# (urlconf, script prefix, url name) -> URL or None: URLs of the apps never change while a process runs.
_urls: dict[tuple[Any, str, str], str | None] = {}


def app_url(url_name: str) -> str | None:
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    if key not in _urls:
        try:
            _urls[key] = reverse(url_name)
        except NoReverseMatch:
            # A registered service whose pages are not installed in this deployment is simply not listed.
            _urls[key] = None
    return _urls[key]


# Apps allowed by (registered apps, profiles held, switches off), in launcher order. Many users share
# the same key (every guardian of one school), so each process works it out once per key.
_allowed: dict[tuple, tuple[tuple[PortalApp, ...], tuple[PortalApp, ...]]] = {}
ALLOWED_MEMO_SIZE = 4096


def allowed_apps(apps: Registry, viewer: Viewer, off: Switches) -> tuple[PortalApp, ...]:
    registered = tuple(apps.apps.values())
    held = tuple(sorted((school_id, tuple(sorted(p))) for school_id, p in viewer.profiles.items()))
    # Apps by identity: one registered anew under the same code is another app. The memo keeps the
    # registered apps alive with the answer, so an id in a key is never reused by another object.
    key = (tuple(map(id, registered)), held, frozenset(off))
    memo = _allowed.get(key)
    if memo is None:
        allowed = tuple(app for app in apps.sorted_apps() if app_allowed(app, viewer, off))
        if len(_allowed) >= ALLOWED_MEMO_SIZE:
            _allowed.clear()
        memo = _allowed[key] = (registered, allowed)
    return memo[1]


def launcher_entry(app: PortalApp, url: str) -> LauncherEntry:
    return LauncherEntry(
        app=app, url=url, name=str(app.name), description=str(app.description), icon_url=icon_url(app.icon)
    )


def launcher_for(user: Any, apps: Registry = registry, child: Any = None) -> list[LauncherEntry]:
    viewer = viewer_for(user)
    off = switched_off(viewer)
    entries = []
    for app in allowed_apps(apps, viewer, off):
        if app.visible is not None and not app.visible(user):
            continue
        url = app_url(app.url_name)
        if url is None:
            continue
        # A child whose school switched the app off for guardians is not chosen: the page opens on another.
        # Nothing switched off in the user's schools (the usual case): on for every child, nothing to ask.
        if child is not None and app.follows_child and (not off or app_is_on_for_child(user, app, child.pk)):
            url = f"{url}?enfant={child.pk}"
        entries.append(launcher_entry(app, url))
    for source in apps.sorted_tile_sources():
        entries.extend(launcher_entry(tile, tile_url) for tile, tile_url in source.tiles(user))
    return entries


def widget_on(user: Any, widget: Widget, child: Any, apps: Registry = registry) -> bool:
    """A widget goes with its app when the app is switched off for the user; one of an app that follows the
    chosen child also when the child's school switched the app off for guardians."""
    app = switchable_app(widget.app_code, apps)
    if app is None:
        return True
    if app_is_off(user, app):
        return False
    return child is None or not app.follows_child or app_is_on_for_child(user, app, child.pk)


def rendered_widgets(
    request: Any, child: Any, widgets: Registry = registry, context: RequestContext | None = None
) -> list[str]:
    """The HTML of each widget that has something to show to this user (for this child).

    The widgets share one template context: the context processors (the user, the messages, the CSRF
    token…) run once for all of them instead of once each; the home page passes its own, bound to its
    template, so that they run once for the whole page."""
    # Nothing switched off in the user's schools (the usual case): every widget is on, nothing to ask each.
    anything_off = bool(switched_off(viewer_for(request.user)))
    shown = [
        # The Django engine's own template, which renders in a given context.
        (get_template(widget.template).template, values)  # type: ignore[attr-defined]
        for widget in widgets.sorted_widgets()
        if (not anything_off or widget_on(request.user, widget, child, widgets))
        and (values := widget.context(request, child)) is not None
    ]
    if not shown:
        return []
    if context is not None:
        return _render_in(context, shown)
    context = RequestContext(request)
    with context.bind_template(shown[0][0]):
        return _render_in(context, shown)


def _render_in(context: RequestContext, shown: list[tuple[Any, dict]]) -> list[str]:
    html: list[str] = []
    for template, values in shown:
        with context.push(values):
            html.append(template.render(context))
    return html


def _rendered_sections(request, sections: Iterable[Any]) -> list[str]:
    """The HTML of each section (its template and its context(request)) that has something to show."""
    html: list[str] = []
    for section in sections:
        context = section.context(request)
        if context is not None:
            html.append(render_to_string(section.template, context, request=request))
    return html


def rendered_preference_sections(request, sections: Registry = registry) -> list[str]:
    """The HTML of each section other apps add to the preferences page, for those it concerns."""
    return _rendered_sections(request, sections.sorted_preference_sections())


def rendered_my_data_sections(request, sections: Registry = registry) -> list[str]:
    """The HTML of each section other apps add to "Mes données", for the data they hold on this person."""
    return _rendered_sections(request, sections.sorted_my_data_sections())
