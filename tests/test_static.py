"""The stylesheet and scripts every page links to are served (without them the pages lose their layout)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_assets_linked_from_the_base_page_are_served(client):
    html = client.get("/auth/login").content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"cartable.css", "cartable.js", "htmx.min.js"}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, asset


def test_launcher_icons_are_served(client, world):
    world.login(client, "ada")
    html = client.get("/").content.decode()
    icons = re.findall(r'<img class="icon" src="(/static/[^"]+)"', html)
    assert len(icons) >= 3  # directory, my data, the console
    for icon in icons:
        response = client.get(icon)
        assert response.status_code == 200, icon
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.lstrip().startswith(b"<svg"), icon
