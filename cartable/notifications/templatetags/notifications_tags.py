from django import template

from cartable.access.policy import viewer_for
from cartable.notifications import counts

register = template.Library()


@register.inclusion_tag("notifications/_header_link.html", takes_context=True)
def notifications_link(context):
    """The header's link to the notifications with the unread count (from the cache, see counts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    person_id = viewer_for(user).person_id if user is not None else None
    unread = counts.unread_count(person_id) if person_id is not None else 0
    return {"unread": unread, "shown": user is not None}
