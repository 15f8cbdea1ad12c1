"""Access matrix of the GAR's console page (cartable.gar): the responsables d'affectation of school A are
named and removed by its ADML and the platform admin only; school B's ADML, the teachers, the direction and
everyone else get 404."""

from __future__ import annotations

from cartable.gar.models import AssignmentManager
from tests.matrix import Route, console
from tests.world import World


def _manager(world: World) -> int:
    """Tess named in school A (made again once a persona removed her)."""
    manager, _ = AssignmentManager.objects.get_or_create(school=world.school_a, person=world.person("tess"))
    return manager.pk


ROUTES: dict[str, Route] = {
    "gar:managers": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/gar/responsables"),
    "gar:manager_remove": Route(
        lambda w: f"/admin-ecole/{w.school_a.uai}/gar/responsables/{_manager(w)}/retirer", "post"
    ),
}

MATRIX: dict[str, dict[str, int]] = {
    "gar:managers": console(ada=200),
    "gar:manager_remove": console(ada=302),
}
