"""Access matrix of the communication rules pages (cartable.access): the school's ADML and the platform admin;
everyone else 404. The school's kill-switch is also its direction's and vie scolaire's. The platform page is
the platform admin's only."""

from __future__ import annotations

from tests.matrix import Route, console, expect
from tests.world import World


def _checker(world: World) -> str:
    return (
        f"/admin-ecole/{world.school_a.uai}/communication/verifier"
        f"?a={world.person('marie').pk}&b={world.person('tess').pk}&qa=martin"
    )


ROUTES: dict[str, Route] = {
    "access:rules": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/communication/"),
    "access:checker": Route(_checker),
    "access:kill_switch": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/communication/coupure"),
    "access:pupils_reset": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/eleves/reinitialisation"),
    "access:platform": Route(lambda w: "/admin-ecole/communication/plateforme"),
}

MATRIX: dict[str, dict[str, int]] = {
    "access:rules": console(ada=200),
    "access:checker": console(ada=200),
    "access:kill_switch": console(ada=200, vera=200, paul=200),
    "access:pupils_reset": console(ada=200),
    "access:platform": expect(404, anon=302, root=200),
}
