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
    # True for apps whose pages show one child of a guardian (?enfant=<id>): the launcher keeps the child
    # chosen on the home page.
    follows_child: bool = False
    # For apps that follow a function rather than a profile (e.g. the ADML console): visible(user) -> bool.
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class TileSource:
    """Launcher tiles that are data rather than code (the connected applications a school enabled), from an
    app that the portal may not import. tiles(user) -> [(PortalApp, url)], after the registered apps; the
    source answers for who may see each tile and should cost no query on a warm cache."""

    code: str
    tiles: Callable[[Any], list[tuple[PortalApp, str]]]
    order: int = 100


@dataclass(frozen=True)
class Widget:
    code: str
    template: str
    # context(request, child) -> dict, or None when the widget has nothing to show to this person
    context: Callable[[Any, Any], dict | None]
    app_code: str = ""
    order: int = 100


@dataclass(frozen=True)
class ConsoleLink:
    """An entry of the school admin console's menu, owned by another app (imports, communication rules…).
    The URL is reversed with the school's UAI as its only argument."""

    code: str
    name: str | Promise
    url_name: str
    order: int = 100


@dataclass(frozen=True)
class SchoolRef:
    pk: int
    uai: str
    name: str


def for_school(label: str, school: SchoolRef, schools: tuple[SchoolRef, ...]) -> str:
    """A link's label, naming the school when the person has several."""
    return f"{label} — {school.name}" if len(schools) > 1 else label


@dataclass(frozen=True)
class SchoolLink:
    """Links of the "Mon établissement" box on the home page of a school's direction, vie scolaire and ENT
    admin (visas, reported messages, timetable management…), owned by another app. links(user, schools) ->
    [(url, name)]: what the person may open in those of their schools (their school-wide ones), else []."""

    code: str
    links: Callable[[Any, tuple[SchoolRef, ...]], list[tuple[str, str]]]
    order: int = 100


@dataclass(frozen=True)
class PreferenceSection:
    """A section of the "Préférences" page owned by another app (notifications, calendar links…).
    context(request) -> dict, or None when the section does not concern this person."""

    code: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class MyDataSection:
    """A section of "Mes données" (right of access, rule C9) owned by another app: what it holds about the
    person (e.g. their SMS number and email choices). context(request) -> dict, or None when it holds
    nothing about this person."""

    code: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class ConsolePersonFact:
    """Lines of a person's page in the school admin console owned by another app (a pupil's image-rights
    answer and the link to record it): the console knows nothing of the app. context(request, school, person)
    -> dict, or None when the app has nothing to say about this person; the template writes <dt>/<dd> pairs
    (the page's list of facts)."""

    code: str
    template: str
    context: Callable[[Any, Any, Any], dict | None]
    order: int = 100


@dataclass
class Registry:
    apps: dict[str, PortalApp] = field(default_factory=dict)
    widgets: dict[str, Widget] = field(default_factory=dict)
    console_links: dict[str, ConsoleLink] = field(default_factory=dict)
    preference_sections: dict[str, PreferenceSection] = field(default_factory=dict)
    my_data_sections: dict[str, MyDataSection] = field(default_factory=dict)
    school_links: dict[str, SchoolLink] = field(default_factory=dict)
    console_person_facts: dict[str, ConsolePersonFact] = field(default_factory=dict)
    tile_sources: dict[str, TileSource] = field(default_factory=dict)

    def register_tile_source(self, source: TileSource) -> None:
        self.tile_sources[source.code] = source

    def sorted_tile_sources(self) -> list[TileSource]:
        return sorted(self.tile_sources.values(), key=lambda s: (s.order, s.code))

    def register_app(self, app: PortalApp) -> None:
        self.apps[app.code] = app

    def register_widget(self, widget: Widget) -> None:
        self.widgets[widget.code] = widget

    def register_console_link(self, link: ConsoleLink) -> None:
        self.console_links[link.code] = link

    def register_console_person_fact(self, fact: ConsolePersonFact) -> None:
        self.console_person_facts[fact.code] = fact

    def sorted_console_person_facts(self) -> list[ConsolePersonFact]:
        return sorted(self.console_person_facts.values(), key=lambda f: (f.order, f.code))

    def register_school_link(self, link: SchoolLink) -> None:
        self.school_links[link.code] = link

    def sorted_school_links(self) -> list[SchoolLink]:
        return sorted(self.school_links.values(), key=lambda link: (link.order, link.code))

    def register_preference_section(self, section: PreferenceSection) -> None:
        self.preference_sections[section.code] = section

    def register_my_data_section(self, section: MyDataSection) -> None:
        self.my_data_sections[section.code] = section

    def sorted_my_data_sections(self) -> list[MyDataSection]:
        return sorted(self.my_data_sections.values(), key=lambda s: (s.order, s.code))

    def sorted_console_links(self) -> list[ConsoleLink]:
        return sorted(self.console_links.values(), key=lambda link: (link.order, link.code))

    def sorted_preference_sections(self) -> list[PreferenceSection]:
        return sorted(self.preference_sections.values(), key=lambda s: (s.order, s.code))

    def sorted_apps(self) -> list[PortalApp]:
        return sorted(self.apps.values(), key=lambda a: (a.order, a.code))

    def sorted_widgets(self) -> list[Widget]:
        return sorted(self.widgets.values(), key=lambda w: (w.order, w.code))


registry = Registry()
