"""Access matrix of the communication rules pages (cartable.communication): the school's ADML and the platform
admin; everyone else 404. The school's kill-switch is also its direction's and vie scolaire's. The platform
page is the platform admin's only."""

from __future__ import annotations

from tests.matrix import Route, console, expect
from tests.world import World


def _checker(world: World) -> str:
    return (
        f"/admin-ecole/{world.school_a.uai}/communication/verifier"
        f"?a={world.person('marie').pk}&b={world.person('tess').pk}&qa=martin"
    )


ROUTES: dict[str, Route] = {
    "communication:rules": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/communication/"),
    "communication:checker": Route(_checker),
    "communication:kill_switch": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/communication/coupure"),
    "communication:platform": Route(lambda w: "/admin-ecole/communication/plateforme"),
}

MATRIX: dict[str, dict[str, int]] = {
    "communication:rules": console(ada=200),
    "communication:checker": console(ada=200),
    "communication:kill_switch": console(ada=200, vera=200, paul=200),
    "communication:platform": expect(404, anon=302, root=200),
}
