"""The header and footer links every page carries lead where their routes say."""

from django.urls import reverse

from cartable.portal.context_processors import LINKS, ROUTES


def test_every_site_link_is_its_route():
    for name, route in ROUTES.items():
        assert LINKS[name] == reverse(route)


def test_the_header_links_on_a_page(client, world):
    world.login(client, "marie")
    html = client.get("/").content.decode()
    for route in ("portal:me", "portal:preferences", "accounts:logout", "portal:charter", "portal:notice"):
        assert f'"{reverse(route)}"' in html
