"""The directory's entries in the portal: the "Annuaire" app and the home widgets about one's people."""

from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.directory.models import Profile
from cartable.directory.queries import home_facts, taught_groups
from cartable.portal.registry import PortalApp, Widget, registry

registry.register_app(
    PortalApp(
        code="directory",
        name=_("Annuaire"),
        url_name="directory:search",
        icon="directory",
        description=_("Retrouver les personnes de mon établissement"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=10,
    )
)


def child_card(request, child):
    """For a guardian: the selected child's class, school and teachers (from the home facts)."""
    if child is None:
        return None
    summary = next((c for c in home_facts(request.user).children if c.pk == child.pk), None)
    return {"child": child, "classes": summary.classes if summary is not None else ()}


def my_class(request, child):
    """For a pupil: their class and its teachers (from the home facts)."""
    viewer = viewer_for(request.user)
    if not viewer.class_ids or not viewer.schools_with_profile(Profile.STUDENT):
        return None
    me = home_facts(request.user).me
    if me is None or not me.classes:
        return None
    return {"classes": me.classes}


def my_taught_groups(request, child):
    """For a teacher: the classes and groups they teach with their number of pupils (shared cache, else
    one query)."""
    viewer = viewer_for(request.user)
    if not viewer.taught_group_ids or viewer.person_id is None:
        return None
    return {"groups": taught_groups(viewer.person_id)}


registry.register_widget(
    Widget(
        code="directory.child",
        template="directory/widgets/child.html",
        context=child_card,
        app_code="directory",
        order=10,
    )
)
registry.register_widget(
    Widget(
        code="directory.my_class",
        template="directory/widgets/my_class.html",
        context=my_class,
        app_code="directory",
        order=10,
    )
)
registry.register_widget(
    Widget(
        code="directory.my_groups",
        template="directory/widgets/my_groups.html",
        context=my_taught_groups,
        app_code="directory",
        order=10,
    )
)
