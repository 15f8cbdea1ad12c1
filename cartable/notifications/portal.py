"""The notifications in the portal: the timeline widget of the home page and a section of /preferences."""

from cartable.access.policy import viewer_for
from cartable.notifications import counts, timeline
from cartable.notifications.forms import PreferencesForm
from cartable.notifications.preferences import offered_kinds, preferences_initial
from cartable.portal.registry import PreferenceSection, Widget, registry


def timeline_widget(request, child):
    """My latest events; for a guardian, those about the selected child and those addressed to me."""
    viewer = viewer_for(request.user)
    if viewer.person_id is None:
        return None
    child_id = child.pk if child is not None and child.pk in viewer.child_ids else None
    return {
        "entries": timeline.home_entries(request.user, viewer.person_id, child_id, sorted(viewer.child_ids)),
        "child": child if child_id is not None else None,
        "unread": counts.unread_for(request.user),
        "next": request.get_full_path(),
    }


def preferences_section(request):
    viewer = viewer_for(request.user)
    if viewer.person_id is None:
        return None
    return {
        "notifications_form": PreferencesForm(
            initial=preferences_initial(viewer.person_id, request.user), kinds=offered_kinds(request.user)
        ),
        "has_email": bool(request.user.email),
    }


registry.register_widget(
    Widget(
        code="notifications.timeline",
        template="notifications/widgets/timeline.html",
        context=timeline_widget,
        app_code="notifications",
        order=5,
    )
)
registry.register_preference_section(
    PreferenceSection(
        code="notifications",
        template="notifications/preferences_section.html",
        context=preferences_section,
        order=10,
    )
)
