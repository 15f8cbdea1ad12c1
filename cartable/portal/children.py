"""Which of a guardian's children an app's page may show, and the child chosen in its address: shared by the
pages of every app that shows a child (the timetable, the cahier de textes)."""

from collections.abc import Sequence

from django.http import Http404

from cartable.lib.params import int_or_404
from cartable.portal import switches
from cartable.portal.registry import PortalApp


def page_app(request) -> PortalApp | None:
    """The switchable app the page belongs to (from its URL namespace), if any."""
    match = getattr(request, "resolver_match", None)
    return switches.app_of_namespace(match.namespace.partition(":")[0]) if match is not None else None


def children_for_page[C](request, children: Sequence[C]) -> list[C]:
    """A guardian's children (anything with a `pk`) whom this page's app may show: not those of a school that
    switched the app off for guardians (cartable.portal.switches)."""
    app = page_app(request)
    if app is None:
        return list(children)
    kept = set(switches.children_using(request.user, app, [c.pk for c in children]))  # type: ignore[attr-defined]
    return [c for c in children if c.pk in kept]  # type: ignore[attr-defined]


def selected_child_id(request, child_ids: list[int], *, first_by_default: bool = True) -> int | None:
    """The child chosen with ?enfant=<id>; anything but one of the user's own children answers 404. Without
    a choice, the first child (or None when `first_by_default` is False). On an app's page, a child whose
    school switched the app off for guardians is not one of them."""
    app = page_app(request)
    if app is not None:
        child_ids = switches.children_using(request.user, app, child_ids)
    raw = request.GET.get("enfant")
    if raw is None:
        return child_ids[0] if child_ids and first_by_default else None
    child_id = int_or_404(raw)
    if child_id not in child_ids:
        raise Http404
    return child_id
