"""Accessibility of every page, checked on the HTML and the stylesheets (the browser side is in
tests/e2e/test_accessibility.py): errors tied to their fields and the focus on the first one after a failed
submit, a focus ring that stands out on every background, scrollable tables reachable with the keyboard, and a
page title that says what the page's heading says."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from tests.matrix import EVERYONE, collect
from tests.world import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "cartable").rglob("templates/**/*.html"))
STYLESHEETS = sorted((ROOT / "cartable").rglob("static/**/*.css"))
ROUTES, MATRIX = collect()


class Elements(HTMLParser):
    """Every element's tag and attributes, in document order, and the text of the title and the h1."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, str] = {"title": "", "h1": ""}
        self._open: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in self.texts:
            self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        for tag in self._open:
            self.texts[tag] += data

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.elements if attrs.get("id")}

    def with_attr(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(tag, attrs) for tag, attrs in self.elements if name in attrs]


def squeeze(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


def assert_references_resolve(page: Elements, where: str) -> None:
    ids = page.ids()
    for attr in ("aria-describedby", "aria-labelledby", "aria-controls"):
        for tag, attrs in page.with_attr(attr):
            missing = set((attrs[attr] or "").split()) - ids
            assert not missing, f"{where}: <{tag} {attr}> names {missing}, which no element has"
    for _, attrs in page.with_attr("for"):
        assert attrs["for"] in ids, f"{where}: a label is for {attrs['for']}, which no element has"


# --- Errors and focus after a failed submit ----------


def test_no_error_list_is_an_alert():
    """A list with role="alert" is no longer a list for screen readers; the alert goes on a container."""
    for template in TEMPLATES:
        assert not re.search(r"<ul[^>]*role=\"alert\"", template.read_text()), template


@pytest.mark.django_db
def test_a_failed_submit_ties_each_error_to_its_field_and_focuses_the_first(world):
    client = world.login(Client(), "alice")
    response = client.post(
        "/auth/password/change",
        {"current_password": PASSWORD, "password1": "court", "password2": "autre"},
    )
    assert response.status_code == 200
    page = Elements(response.content.decode())
    assert_references_resolve(page, "password change")
    invalid = [attrs for tag, attrs in page.elements if attrs.get("aria-invalid") == "true"]
    assert invalid, "the form should have refused these passwords"
    for attrs in invalid:
        error_id = f"{attrs['id']}_error"
        assert error_id in (attrs.get("aria-describedby") or "").split()
        assert error_id in page.ids()
    # The current password was right: the keyboard goes to the first field in error, not to the first field.
    focused = [attrs["name"] for _, attrs in page.with_attr("autofocus")]
    assert focused == [invalid[0]["name"]]
    assert focused != ["current_password"]


@pytest.mark.django_db
def test_a_new_page_keeps_the_focus_its_form_asks_for(world):
    client = world.login(Client(), "alice")
    page = Elements(client.get("/auth/password/change").content.decode())
    assert [attrs["name"] for _, attrs in page.with_attr("autofocus")] == ["current_password"]
    assert not page.with_attr("aria-invalid")


FAILED_SUBMITS = [
    ("ada", "console:person_new", {"last_name": "", "first_name": ""}),
    ("vera", "timetable:course_new", {"label": "", "room": "101"}),
    ("alice", "portal:me", {"message": ""}),
    ("marie", "messaging:compose", {"intent": "send", "subject": "Bonjour", "body": "Bonjour"}),
    ("ada", "timetable:import", {"valid_from": ""}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "route", "data"), FAILED_SUBMITS)
def test_failed_submits_of_shared_forms_focus_one_field_in_error(world, who, route, data):
    client = world.login(Client(), who)
    response = client.post(ROUTES[route].url(world), data)
    assert response.status_code in (200, 400), route  # the form again, with its errors
    page = Elements(response.content.decode())
    assert_references_resolve(page, route)
    # The browser focuses the first element that asks for it: the errors of the whole form, which come first,
    # or else the first field in error. No other element asks for it.
    focused = page.with_attr("autofocus")
    assert focused, f"{route}: nothing takes the focus"
    for tag, attrs in focused:
        assert attrs.get("aria-invalid") == "true" or attrs.get("class") == "form-errors", (route, tag, attrs)
    assert len([attrs for _, attrs in focused if attrs.get("aria-invalid")]) <= 1, route


def test_the_focus_goes_to_the_first_error_with_javascript_too():
    script = (ROOT / "cartable" / "static" / "cartable" / "cartable.js").read_text()
    assert "[aria-invalid='true']" in script and ".form-errors" in script
    errors = (ROOT / "cartable" / "templates" / "includes" / "form_errors.html").read_text()
    assert 'class="form-errors" role="alert" tabindex="-1" autofocus' in errors


# --- Focus ring ----------


def luminance(color: str) -> float:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    channels = [int(color[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_variables() -> dict[str, str]:
    css = (ROOT / "cartable" / "static" / "cartable" / "cartable.css").read_text()
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", css))


def backgrounds() -> set[str]:
    """Every background colour of Cartable's stylesheets, named or written out."""
    variables = css_variables()
    found = set()
    for sheet in STYLESHEETS:
        for value in re.findall(r"background(?:-color)?:\s*([^;}]+)", sheet.read_text()):
            for color in re.findall(r"#[0-9a-fA-F]{3,6}\b", value):
                found.add(color.lower())
            for name in re.findall(r"var\((--[\w-]+)\)", value):
                found.add(variables[name].lower())
    return found


def test_the_focus_ring_stands_out_on_every_background():
    """WCAG 1.4.11 with technique C40: two colours at least 9:1 apart, one of which reaches 3:1 on each
    background (white, grey, the blue header and buttons, the coloured notices)."""
    variables = css_variables()
    ring, halo = variables["--focus-ring"], variables["--focus-halo"]
    assert contrast(ring, halo) >= 9
    colors = backgrounds()
    assert {"#ffffff", "#f3f4f7", "#0b4f9c"} <= colors
    for background in colors:
        best = max(contrast(ring, background), contrast(halo, background))
        assert best >= 3, f"focus ring on {background}: {best:.2f}:1"


def test_every_focusable_element_gets_the_ring_and_none_hides_it():
    css = (ROOT / "cartable" / "static" / "cartable" / "cartable.css").read_text()
    rule = re.search(r"(?m)^:focus-visible\s*\{([^}]*)\}", css)
    assert rule, "the focus ring must apply to every element (tables that scroll, summaries, …)"
    assert "var(--focus-ring)" in rule.group(1) and "var(--focus-halo)" in rule.group(1)
    for sheet in STYLESHEETS:
        for selector in re.findall(r"([^{}]+)\{[^}]*outline:\s*(?:none|0)[^}]*\}", sheet.read_text()):
            assert selector.strip() == "main:focus", f"{sheet.name}: {selector.strip()} hides the focus"


# --- Tables that scroll ----------


def test_tables_that_scroll_are_focusable_regions_with_a_name():
    """On a phone a wide table scrolls sideways: a keyboard user must be able to reach it and a screen reader
    user to know what it is."""
    wrappers = 0
    for template in TEMPLATES:
        for tag in re.findall(r"<div[^>]*class=\"table-wrap[^>]*>", template.read_text()):
            wrappers += 1
            assert 'role="region"' in tag, (template.name, tag)
            assert 'tabindex="0"' in tag, (template.name, tag)
            assert "aria-labelledby=" in tag or "aria-label=" in tag, (template.name, tag)
    assert wrappers >= 14


# --- Every page: titles and references ----------


def first_persona_with_page(route_name: str) -> str | None:
    return next((name for name in EVERYONE if MATRIX[route_name][name] == 200), None)


PAGES = sorted(
    name for name, route in ROUTES.items() if route.method == "get" and first_persona_with_page(name)
)


@pytest.mark.django_db
def test_every_page_title_says_what_its_heading_says_and_its_references_resolve(world):
    checked = 0
    for route_name in PAGES:
        who = first_persona_with_page(route_name)
        client = Client()
        if who != "anon":
            world.login(client, who)
        response = client.get(ROUTES[route_name].url(world))
        if not response.get("Content-Type", "").startswith("text/html") or b"<title>" not in response.content:
            continue  # a fragment for htmx, a file
        page = Elements(response.content.decode())
        assert_references_resolve(page, route_name)
        title, heading = squeeze(page.texts["title"]), squeeze(page.texts["h1"])
        assert heading, f"{route_name}: no h1"
        # "Répondre — Cartable" for the heading "Répondre"; a short title may name the page ("Personnes" for
        # "Personnes de l'établissement"), but never another page ("Écrire un message" for "Répondre").
        first_part = title.split(" — ")[0]
        assert heading in title or first_part in heading, f"{route_name}: «{title}» for «{heading}»"
        checked += 1
    assert checked >= 50
