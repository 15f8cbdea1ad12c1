"""The news in the portal: the launcher tile, the home widget (the news that concern me and my children),
the console's switch of the school's public page."""

from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.news import queries
from cartable.portal.registry import ConsoleLink, PortalApp, Widget, registry


def reads_news(user) -> bool:
    """Everyone with a school (no query: the cached viewer)."""
    return bool(viewer_for(user).school_ids)


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
