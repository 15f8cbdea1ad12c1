"""The news in the portal: the launcher tile, the home widget (the news that concern me and my children),
the notification of a publication, the console's switch of the school's public page."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.news import queries
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.portal.registry import ConsoleLink, PortalApp, Widget, registry


def reads_news(user) -> bool:
    """Everyone with a school, and the guardians of a pupil (no query: the cached viewer)."""
    viewer = viewer_for(user)
    return bool(viewer.school_ids or viewer.child_ids)


def published_text(data: dict) -> str:
    return gettext("Nouvelle actualité de %(school)s : « %(title)s »") % {
        "school": data.get("school", ""),
        "title": data.get("title", ""),
    }


registry.register_app(
    PortalApp(
        code="news",
        name=_("Actualités"),
        url_name="news:index",
        icon="news",
        description=_("Les actualités de l’établissement"),
        order=15,
        visible=reads_news,
    )
)

# Told at the publication date (cartable.news.actions.notify_publication), to the news item's audience.
register_kind(
    EventKind(
        code="news.published",
        label=_("Nouvelle actualité"),
        text=published_text,
        default_channel=Channel.DIGEST,
        icon="news",
        app_code="news",
    )
)

registry.register_widget(
    Widget(
        code="news.latest",
        template="news/widgets/latest.html",
        context=queries.widget,
        app_code="news",
        order=5,
    )
)

registry.register_console_link(
    ConsoleLink(
        code="news.public", name=_("Page publique des actualités"), url_name="news:public_settings", order=70
    )
)
