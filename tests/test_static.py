"""Static files and pages as production serves them (the test session serves what `collectstatic` gathered,
see conftest.py): every page's stylesheet and scripts are there, under hashed names cached for a year,
compressed with brotli or gzip; the pages themselves are compressed. `make run` (DEBUG) needs no
collectstatic."""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from cartable.lib.compression import GZipMiddleware

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HASHED = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{12}\.(?P<ext>\w+)$")
ONE_YEAR = 365 * 24 * 3600


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def linked_assets(client) -> list[str]:
    html = client.get("/auth/login").content.decode()
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def plain_name(url: str) -> str:
    match = HASHED.match(url.rsplit("/", 1)[-1])
    assert match, f"{url} has no hash in its name"
    return f"{match['stem']}.{match['ext']}"


def test_assets_linked_from_the_base_page_are_served(client):
    assets = linked_assets(client)
    assert {plain_name(a) for a in assets} >= {"cartable.css", "cartable.js", "htmx.min.js", "app.svg"}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(body(response)) > 100, asset


def test_hashed_assets_are_cached_for_a_year_at_least(client):
    for asset in linked_assets(client):
        cache_control = client.get(asset)["Cache-Control"]
        max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
        assert max_age >= ONE_YEAR, (asset, cache_control)
        assert "immutable" in cache_control, asset


@pytest.mark.parametrize(
    ("accepted", "served"), [("gzip, deflate, br, zstd", "br"), ("gzip, deflate", "gzip")]
)
def test_stylesheets_and_scripts_are_served_compressed(client, accepted, served):
    for asset in linked_assets(client):
        if not asset.endswith((".css", ".js")):
            continue
        plain = client.get(asset)
        response = client.get(asset, headers={"accept-encoding": accepted})
        assert response.status_code == 200, asset
        assert response["Content-Encoding"] == served, asset
        assert "Accept-Encoding" in response["Vary"], asset
        assert len(body(response)) < len(body(plain)), asset
        if served == "gzip":
            assert gzip.decompress(body(response)) == body(plain), asset


def test_pages_are_compressed_for_browsers_that_accept_gzip(client):
    response = client.get("/auth/login", headers={"accept-encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<title>" in gzip.decompress(response.content)


def test_pages_are_compressed_with_breach_padding_below_whitenoise():
    """Django's GZipMiddleware pads each body with random bytes (BREACH). It must sit below WhiteNoise (which
    serves precompressed files) and above every middleware that touches the body."""
    middleware = settings.MIDDLEWARE
    position = middleware.index("cartable.lib.compression.GZipMiddleware")
    assert middleware[:position] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert GZipMiddleware.max_random_bytes > 0
    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    page = b"<p>" + b"Cartable " * 200 + b"</p>"
    middleware = GZipMiddleware(lambda r: HttpResponse(page))
    sizes = {len(middleware.process_response(request, HttpResponse(page)).content) for _ in range(10)}
    assert len(sizes) > 1, "the compressed size of one page must vary"


def test_files_that_are_compressed_already_are_left_alone():
    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    pdf = HttpResponse(b"%PDF-1.7 " * 500, content_type="application/pdf")
    response = GZipMiddleware(lambda r: pdf).process_response(request, pdf)
    assert not response.has_header("Content-Encoding")
    assert response.content.startswith(b"%PDF")


def test_launcher_icons_are_served(client, world):
    world.login(client, "ada")
    html = client.get("/").content.decode()
    icons = re.findall(r'<img class="icon" src="(/static/[^"]+)"', html)
    assert len(icons) >= 3  # directory, my data, the console
    for icon in icons:
        response = client.get(icon)
        assert response.status_code == 200, icon
        assert body(response).lstrip().startswith(b"<svg"), icon


def test_the_demo_serves_the_source_files_without_collectstatic(tmp_path):
    """`make run` (DEBUG): plain names, served from the source folders, with an empty STATIC_ROOT."""
    code = (
        "import django; django.setup(); from django.test import Client; import re; c = Client(); "
        "html = c.get('/auth/login').content.decode(); "
        'css = re.search(r\'href="(/static/[^"]+[.]css)"\', html).group(1); '
        "print(css, c.get(css).status_code)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "cartable.settings",
        "DEBUG": "true",
        "STATIC_ROOT": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/static/cartable/cartable.css", "200"]
