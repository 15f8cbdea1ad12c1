from django import template
from django.templatetags.static import static
from django.utils.translation import gettext

from cartable.lib.urls import url_for
from cartable.notifications import counts

register = template.Library()


@register.inclusion_tag("notifications/_header_link.html", takes_context=True)
def notifications_link(context, oob: bool = False, unread: int | None = None):
    """The header's link to the notifications with the unread count (from the cache, see counts), or
    `unread` when a page has just changed it. Every page shows it: its addresses and words are given here
    rather than looked up by tags in the template."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if unread is None:
        unread = counts.unread_for(user) if user is not None else 0
    return {
        "shown": user is not None,
        "unread": unread,
        "oob": oob,
        "url": url_for("notifications:list"),
        "stylesheet": static("notifications/notifications.css"),
        "label": gettext("Notifications"),
        "unread_label": gettext("non lues"),
    }
