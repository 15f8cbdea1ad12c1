"""What every page's header and footer need, worked out once per process rather than on each page."""

from __future__ import annotations

from cartable.lib.urls import url_for

# {{ site_links.<name> }} -> route
ROUTES = {
    "home": "portal:home",
    "me": "portal:me",
    "preferences": "portal:preferences",
    "logout": "accounts:logout",
    "charter": "portal:charter",
    "notice": "portal:notice",
}


class SiteLinks:
    """The addresses of the links every page carries (each `{% url %}` costs tens of microseconds)."""

    def __getitem__(self, name: str) -> str:
        return url_for(ROUTES[name])


LINKS = SiteLinks()


def site(request) -> dict:
    return {"site_links": LINKS}
