"""What every page's header and footer need, worked out once per process rather than on each page."""

from __future__ import annotations

from cartable.lib.urls import url_for


class SiteLinks:
    """The addresses of the links every page carries (each `{% url %}` costs tens of microseconds)."""

    @property
    def home(self) -> str:
        return url_for("portal:home")

    @property
    def me(self) -> str:
        return url_for("portal:me")

    @property
    def preferences(self) -> str:
        return url_for("portal:preferences")

    @property
    def logout(self) -> str:
        return url_for("accounts:logout")

    @property
    def charter(self) -> str:
        return url_for("portal:charter")

    @property
    def notice(self) -> str:
        return url_for("portal:notice")


LINKS = SiteLinks()


def site(request) -> dict:
    return {"site_links": LINKS}
