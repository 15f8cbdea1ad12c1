"""The app launcher and home widgets: each service registers itself here from its AppConfig.ready().

A service declares which profiles may use it; a school's admin may switch it off for a profile
(portal.models.AppSwitch). Widgets are callables returning a template and its context for the home page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class PortalApp:
    code: str
    name: str | Promise
    url_name: str
    icon: str  # an SVG in static/cartable/icons/ (without .svg); "app" is the generic one
    description: str | Promise = ""
    profiles: frozenset[str] = frozenset()  # empty: every profile
    order: int = 100
    # False: always on, not offered in the admin console's matrix (e.g. "Mes données", the right of access).
    switchable: bool = True
    # For apps that follow a function rather than a profile (e.g. the ADML console): visible(user) -> bool.
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Widget:
    code: str
    template: str
    # context(request, child) -> dict, or None when the widget has nothing to show to this person
    context: Callable[[Any, Any], dict | None]
    app_code: str = ""
    order: int = 100


@dataclass
class Registry:
    apps: dict[str, PortalApp] = field(default_factory=dict)
    widgets: dict[str, Widget] = field(default_factory=dict)

    def register_app(self, app: PortalApp) -> None:
        self.apps[app.code] = app

    def register_widget(self, widget: Widget) -> None:
        self.widgets[widget.code] = widget

    def sorted_apps(self) -> list[PortalApp]:
        return sorted(self.apps.values(), key=lambda a: (a.order, a.code))

    def sorted_widgets(self) -> list[Widget]:
        return sorted(self.widgets.values(), key=lambda w: (w.order, w.code))


registry = Registry()
