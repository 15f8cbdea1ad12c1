"""Access matrix of the virtual classes (cartable.visio), without a BigBlueButton server (the default): those
who may join are sent back to the page, which says the server is not configured."""

from __future__ import annotations

from cartable.visio.models import VirtualClass
from cartable.visio.tests.helpers import scheduled
from tests.matrix import Route, expect, logged_in
from tests.world import World


def _class(world: World) -> int:
    """Tom's virtual class for 6A, starting in five minutes (made again once cancelled)."""
    found = VirtualClass.objects.filter(group=world.class_6a, title="Révisions").first()
    return (found or scheduled(world)).pk


SEE = {"tom": 200, "alice": 200, "bob": 200, "marie": 200, "marc": 200, "beatrice": 200}
THE_TEACHER = {"tom": 302}

ROUTES: dict[str, Route] = {
    "visio:index": Route(lambda w: "/classes-virtuelles/"),
    "visio:new": Route(lambda w: "/classes-virtuelles/nouvelle"),
    "visio:detail": Route(lambda w: f"/classes-virtuelles/{_class(w)}/"),
    "visio:edit": Route(lambda w: f"/classes-virtuelles/{_class(w)}/modifier"),
    "visio:join": Route(lambda w: f"/classes-virtuelles/{_class(w)}/rejoindre", "post"),
    "visio:end": Route(lambda w: f"/classes-virtuelles/{_class(w)}/terminer", "post"),
    "visio:cancel": Route(lambda w: f"/classes-virtuelles/{_class(w)}/annuler", "post"),
}

MATRIX: dict[str, dict[str, int]] = {
    # Made for teachers, pupils and guardians (everyone of the world but the staff who do not teach).
    "visio:index": logged_in(200, vera=404, paul=404, ada=404, bruno=404, root=404),
    # Teachers schedule (for the classes and groups they teach).
    "visio:new": expect(404, anon=302, tom=200, tess=200, xavier=200),
    "visio:edit": expect(404, anon=302, tom=200),
    # The class's pupils, their guardians and the teacher; another class's pupil gets 404.
    "visio:detail": expect(404, anon=302, **SEE),
    # The teacher and the class's pupils join; guardians only see it.
    "visio:join": expect(404, anon=302, tom=302, alice=302, bob=302),
    "visio:end": expect(404, anon=302, **THE_TEACHER),
    "visio:cancel": expect(404, anon=302, **THE_TEACHER),
}
