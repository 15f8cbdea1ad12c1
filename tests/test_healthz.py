"""/healthz: 200 with the database and cache status; 503 when the database does not answer."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from cartable.lib.signing_key import LOCAL_KEY_NAME

ROOT = Path(__file__).resolve().parent.parent
GRANIAN = str(Path(sys.executable).parent / "granian")


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_answers_503_when_the_database_is_down(collected_static):
    """The production server (granian) pointed at a PostgreSQL port where nothing listens."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/cartable_absent",
        "SECRET_KEY": "healthz-test",
        "SAML_IDP_KEY": settings.SAML_IDP_KEY,
        "SAML_IDP_CERT": settings.SAML_IDP_CERT,
        # This machine's local key standing for a deployment's own (made by the settings under var/).
        "OIDC_SIGNING_KEY_FILE": str(settings.BASE_DIR / "var" / LOCAL_KEY_NAME),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(collected_static),
    }
    env.pop("PYTEST_VERSION", None)
    server = subprocess.Popen(
        [
            GRANIAN,
            "--interface",
            "wsgi",
            "cartable.wsgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90  # a busy machine starts processes slowly
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 503
        assert body["database"] == "down"
    finally:
        server.terminate()
        server.wait(timeout=10)
