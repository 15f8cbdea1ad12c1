"""What it means that a school's admin switched an app off for a profile (portal.models.AppSwitch).

An app switched off is off, not only hidden: its tile goes (launcher), its pages answer 404
(`AppSwitchMiddleware`, from the URL namespace of the app's `url_name`, so a new app is covered without code
of its own), its home widgets go (`Widget.app_code`) and its notifications are neither created nor sent
(`EventKind.app_code`).

Whose app is off, when a person holds several profiles or belongs to several schools — a parent with children
in two schools, a teacher who is also a parent:

- The app itself (its tile, its pages) is off only when every (school, profile) through which the person would
  use it — the profiles the app is made for, in each of their schools — has it off. The inbox, the week or the
  directory mix schools: one school's choice may not take away what another school gives, and a tile never
  leads to a 404 nor a page opens without its tile.
- What is about one school follows that school's switch, for the profile it reaches the person through: a
  notification follows its event's school (as a guardian when it is about one of their children), a guardian's
  child shown by an app that follows the child (?enfant=) follows the child's school, with the guardian's
  profile. So a parent whose children's collège switched the cahier de textes off for parents no longer gets
  that collège's homework, even though their other child's école keeps the app on.
- Where the person holds no profile in that school (data being corrected), the first rule decides.

People for whom an app is not made at all (a guest and the directory, the platform admin) are not "switched
off": what they may open is the app's own access policy's business.

The switches are one cached fact per set of schools, kept under a version of their own that saving them bumps
(`bump`, cartable.lib.facts): a page of an app costs no query for them once the fact is read, and the many
directory changes (imports) do not make every user read them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from django.http import Http404

from cartable.access.policy import Viewer, viewer_for
from cartable.directory import versions
from cartable.directory.models import Membership, Profile
from cartable.lib import facts
from cartable.portal.models import AppSwitch
from cartable.portal.registry import PortalApp, Registry, registry

# (school id, app code, profile) switched off
type Switches = AbstractSet[tuple[int, str, str]]
# (school id, profile) a person holds
type Held = Iterable[tuple[int, str]]

# Set on a view (see `stays_on`): the page stays open when its app is switched off.
STAYS_ON = "cartable_stays_on"
VERSION_KEY = "portal:switches:version"


def bump() -> None:
    """Call after the switches of a school changed."""
    facts.bump([VERSION_KEY])


def _cached[T](key: str, load: Callable[[], T]) -> T:
    return facts.cached(f"switches:{key}", [VERSION_KEY], load)


def switched_off(viewer: Viewer) -> Switches:
    """(school id, app code, profile) the user's schools switched off."""
    if not viewer.school_ids:
        return frozenset()
    schools = sorted(viewer.school_ids)

    def load() -> frozenset[tuple[int, str, str]]:
        return frozenset(
            AppSwitch.objects.filter(school_id__in=schools, enabled=False).values_list(
                "school_id", "app_code", "profile"
            )
        )

    return _cached(",".join(map(str, schools)), load)


def switched_off_anywhere(app_code: str) -> frozenset[tuple[int, str]]:
    """(school id, profile) of every school that switched this app off for a profile: small (a few rows
    per school at most), and empty on most platforms, which spares notifications any further query."""
    return _cached(
        f"app:{app_code}",
        lambda: frozenset(
            AppSwitch.objects.filter(app_code=app_code, enabled=False).values_list("school_id", "profile")
        ),
    )


def held_by(viewer: Viewer) -> list[tuple[int, str]]:
    return [(school_id, profile) for school_id, profiles in viewer.profiles.items() for profile in profiles]


def uses(
    app: PortalApp,
    held: Held,
    off: Switches,
    *,
    school_id: int | None = None,
    profiles: Collection[str] = (),
) -> bool:
    """False when `app` is switched off for a person holding `held`, by the rule of this module's docstring:
    in `school_id` and through `profiles` when given and the person holds such a profile, else through every
    (school, profile) they would use it through."""
    if not app.switchable:
        return True
    through = [(s, p) for s, p in held if not app.profiles or p in app.profiles]
    if school_id is not None:
        through = [(s, p) for s, p in through if s == school_id] or through
    if profiles:
        through = [(s, p) for s, p in through if p in profiles] or through
    if not through:
        return True  # not made for them: no switch concerns them
    return any((s, app.code, p) not in off for s, p in through)


def switchable_app(app_code: str, apps: Registry = registry) -> PortalApp | None:
    app = apps.apps.get(app_code) if app_code else None
    return app if app is not None and app.switchable else None


def app_is_off(user: Any, app: PortalApp) -> bool:
    """The app is switched off for every (school, profile) through which `user` would use it."""
    viewer = viewer_for(user)
    if not app.switchable or viewer.is_platform_admin or not viewer.profiles:
        return False
    off = switched_off(viewer)
    if not off:
        return False
    return not uses(app, held_by(viewer), off)


def app_code_is_off(user: Any, app_code: str, apps: Registry = registry) -> bool:
    app = switchable_app(app_code, apps)
    return app is not None and app_is_off(user, app)


# --- A guardian's children ---------------------------------------------------------------------------


def _schools_of_children(viewer: Viewer) -> dict[int, frozenset[int]]:
    """Child id -> the schools where they are a pupil (a fact of the directory, kept under its version)."""
    children = sorted(viewer.child_ids)

    def load() -> dict[int, frozenset[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for child_id, school_id in Membership.objects.filter(
            person_id__in=children, profile=Profile.STUDENT
        ).values_list("person_id", "school_id"):
            found[child_id].add(school_id)
        return {child: frozenset(schools) for child, schools in found.items()}

    keys = [versions.person_key(pk) for pk in children]
    return versions.cached(f"switches:children:{viewer.person_id}", load, keys=keys)


def children_using(user: Any, app: PortalApp, child_ids: list[int]) -> list[int]:
    """The children whose pages of `app` their guardian `user` may open: those of a school that keeps the
    app on for guardians (see the module's docstring). In the given order."""
    viewer = viewer_for(user)
    if not app.switchable or not child_ids:
        return child_ids
    off = switched_off(viewer)
    if not any(code == app.code for _school, code, _profile in off):
        return child_ids
    held = held_by(viewer)
    schools = _schools_of_children(viewer)

    def on_for(child_id: int) -> bool:
        where = schools.get(child_id)
        if not where:
            return uses(app, held, off, profiles=(Profile.RELATIVE,))
        return any(uses(app, held, off, school_id=s, profiles=(Profile.RELATIVE,)) for s in where)

    return [child_id for child_id in child_ids if on_for(child_id)]


def app_is_on_for_child(user: Any, app: PortalApp, child_id: int) -> bool:
    return bool(children_using(user, app, [child_id]))


# --- Notifications -----------------------------------------------------------------------------------


def memberships_of(person_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """Person id -> (school id, profile) they hold, in one query."""
    held: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for person_id, school_id, profile in Membership.objects.filter(
        person_id__in=list(person_ids)
    ).values_list("person_id", "school_id", "profile"):
        held[person_id].append((school_id, profile))
    return held


def notified_by(app_code: str, apps: Registry = registry) -> Callable[..., bool] | None:
    """For the notifications of an app: wanted(person id, held, school id, about id) -> bool, or None when no
    school switched the app off (nothing to check, no query)."""
    app = switchable_app(app_code, apps)
    if app is None:
        return None
    pairs = switched_off_anywhere(app.code)
    if not pairs:
        return None
    off = frozenset((school_id, app.code, profile) for school_id, profile in pairs)

    def wanted(person_id: int, held: Held, school_id: int | None, about_id: int | None) -> bool:
        # An event about a pupil reaches the others as that pupil's guardians.
        as_guardian = about_id is not None and about_id != person_id
        return uses(app, held, off, school_id=school_id, profiles=(Profile.RELATIVE,) if as_guardian else ())

    return wanted


def still_notified(
    app_code: str, person_ids: Iterable[int], *, school_id: int | None, about_id: int | None
) -> set[int]:
    """The people among `person_ids` who still hear of an event of this app (in this school, about this
    pupil): without those for whom it is switched off. One query, none when no school switched the app off."""
    ids = set(person_ids)
    wanted = notified_by(app_code)
    if wanted is None or not ids:
        return ids
    held = memberships_of(ids)
    return {pk for pk in ids if wanted(pk, held.get(pk, ()), school_id, about_id)}


# --- Pages -------------------------------------------------------------------------------------------


def stays_on[V: Callable](view: V) -> V:
    """For a page of a switchable app that is not a use of the app by a profile but a duty of the school or of
    its admin (the admin console's pages, handling reported messages): it stays open when the app is off."""
    setattr(view, STAYS_ON, True)
    return view


def app_of_namespace(namespace: str, apps: Registry = registry) -> PortalApp | None:
    """The switchable app whose `url_name` lies in this URL namespace; None when no app, or several apps share
    it (the portal's own pages: a switch must not take a whole namespace away by accident)."""
    if not namespace:
        return None
    found = [app for app in apps.apps.values() if app.url_name.partition(":")[0] == namespace]
    if len(found) != 1 or not found[0].switchable:
        return None
    return found[0]


class AppSwitchMiddleware:
    """Every page of a switched-off app answers 404 to the people it is off for, like a page that does not
    exist for them. Place it after the authentication middleware. Costs nothing outside a switchable app's
    pages, and one cached fact on them."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_view(self, request: Any, view_func: Callable, view_args: Any, view_kwargs: Any) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None or getattr(view_func, STAYS_ON, False):
            return None
        app = app_of_namespace(match.namespace.partition(":")[0])
        if app is None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # the page's own login check answers
        if app_is_off(user, app):
            raise Http404
        return None
