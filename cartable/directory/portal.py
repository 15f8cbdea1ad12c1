"""The directory's entries in the portal: the "Annuaire" app and the home widgets about one's people."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import viewer_for
from cartable.directory.models import Group, Profile
from cartable.directory.queries import current_classes, teachers_of
from cartable.portal.registry import PortalApp, Widget, registry

registry.register_app(
    PortalApp(
        code="directory",
        name=_("Annuaire"),
        url_name="directory:search",
        icon="📇",
        description=_("Retrouver les personnes de mon établissement"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=10,
    )
)


def with_teams(groups: list[Group]) -> list[dict]:
    teams = teachers_of(g.pk for g in groups)
    return [{"group": group, "team": teams.get(group.pk, [])} for group in groups]


def child_card(request, child):
    """For a guardian: the selected child's class, school and teachers (two queries)."""
    if child is None:
        return None
    groups = current_classes([child.pk]).get(child.pk, [])
    return {"child": child, "classes": with_teams(groups)}


def my_class(request, child):
    """For a pupil: their class and its teachers (two queries)."""
    viewer = viewer_for(request.user)
    if not viewer.class_ids or not viewer.schools_with_profile(Profile.STUDENT):
        return None
    groups = list(
        Group.objects.filter(pk__in=viewer.class_ids, year__is_current=True).select_related("school")
    )
    if not groups:
        return None
    return {"classes": with_teams(groups)}


def my_taught_groups(request, child):
    """For a teacher: the classes and groups they teach with their number of pupils (one query)."""
    viewer = viewer_for(request.user)
    if not viewer.taught_group_ids:
        return None
    groups = (
        Group.objects.filter(pk__in=viewer.taught_group_ids, year__is_current=True)
        .select_related("school")
        .annotate(pupil_count=Count("enrolments"))
        .order_by("school__name", "name")
    )
    return {"groups": list(groups)}


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
