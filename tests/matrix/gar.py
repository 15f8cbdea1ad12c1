"""Access matrix of the GAR app (cartable.gar): the responsables d'affectation of school A are named and
removed by its ADML and the platform admin only; the Médiacentre opens for pupils, teachers and staff (the GAR
serves no parents); school A's own links are kept by its documentalist, direction and ADML (Paul, Ada), and
school B's ADML, the teachers, the vie scolaire and everyone else get 404."""

from __future__ import annotations

from cartable.gar.models import AssignmentManager, Favourite, SchoolResource
from tests.matrix import Route, console, expect
from tests.world import World


def _manager(world: World) -> int:
    """Tess named in school A (made again once a persona removed her)."""
    manager, _ = AssignmentManager.objects.get_or_create(school=world.school_a, person=world.person("tess"))
    return manager.pk


def _link(world: World) -> int:
    """A link of school A shown to every profile (made again once a persona deleted it)."""
    link, _ = SchoolResource.objects.get_or_create(
        school=world.school_a,
        title="Catalogue du CDI",
        defaults={"url": "https://cdi.example.test/", "profiles": ["Student", "Teacher", "Personnel"]},
    )
    return link.pk


def _favourites(world: World) -> str:
    """A GAR resource every person of school A marked (made again for those who took it back)."""
    key = "ark:/00000/MATRICE"
    for person in world.people.values():
        Favourite.objects.get_or_create(person=person, school=world.school_a, resource_id=key, link=None)
    return key


MEDIACENTRE_USERS = dict.fromkeys(
    ("alice", "bob", "carl", "leo", "zoe", "tom", "tess", "vera", "paul", "ada", "xavier", "bruno"), 200
)
USERS_OF_A = dict.fromkeys(("alice", "bob", "carl", "tom", "tess", "vera", "paul", "ada"), 302)
KEEPERS_OF_A = {"paul": 200, "ada": 200}

ROUTES: dict[str, Route] = {
    "gar:managers": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/gar/responsables"),
    "gar:manager_remove": Route(
        lambda w: f"/admin-ecole/{w.school_a.uai}/gar/responsables/{_manager(w)}/retirer", "post"
    ),
    "mediacentre:index": Route(lambda w: "/mediacentre/"),
    "mediacentre:favourite_link": Route(lambda w: f"/mediacentre/favori/lien/{_link(w)}", "post"),
    # Without a GAR in the tests: each person takes back a favourite of their own (see _favourites).
    "mediacentre:favourite_resource": Route(
        lambda w: f"/mediacentre/favori/{w.school_a.uai}/{_favourites(w)}", "post"
    ),
    "mediacentre:links": Route(lambda w: f"/mediacentre/etablissement/{w.school_a.uai}/liens"),
    "mediacentre:link_new": Route(lambda w: f"/mediacentre/etablissement/{w.school_a.uai}/liens/nouveau"),
    "mediacentre:link_edit": Route(
        lambda w: f"/mediacentre/etablissement/{w.school_a.uai}/liens/{_link(w)}/modifier"
    ),
    "mediacentre:link_delete": Route(
        lambda w: f"/mediacentre/etablissement/{w.school_a.uai}/liens/{_link(w)}/supprimer", "post"
    ),
}

MATRIX: dict[str, dict[str, int]] = {
    "gar:managers": console(ada=200),
    "gar:manager_remove": console(ada=302),
    "mediacentre:index": expect(404, anon=302, **MEDIACENTRE_USERS),
    "mediacentre:favourite_link": expect(404, anon=302, **USERS_OF_A),
    "mediacentre:favourite_resource": expect(404, anon=302, **USERS_OF_A),
    "mediacentre:links": expect(404, anon=302, **KEEPERS_OF_A),
    "mediacentre:link_new": expect(404, anon=302, **KEEPERS_OF_A),
    "mediacentre:link_edit": expect(404, anon=302, **KEEPERS_OF_A),
    "mediacentre:link_delete": expect(404, anon=302, paul=302, ada=302),
}
