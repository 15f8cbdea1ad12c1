from django import template

from cartable.notifications import counts

register = template.Library()


@register.inclusion_tag("notifications/_header_link.html", takes_context=True)
def notifications_link(context):
    """The header's link to the notifications with the unread count (from the cache, see counts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": counts.unread_for(user) if user is not None else 0, "shown": user is not None}
