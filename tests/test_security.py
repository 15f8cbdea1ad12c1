"""Security by default (rule C7 and the house rules): headers, cookies, password hashing."""

import pytest

from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/auth/login", secure=True)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_https_responses_ask_browsers_to_stay_on_https(client):
    response = client.get("/auth/login", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_secure_httponly_and_same_site(client, world):
    response = client.post("/auth/login", {"username": "alice.martin", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    cookie = response.cookies["cartable_session"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_passwords_set_by_cartable_are_argon2id(world):
    from cartable.accounts import actions

    user = world.users["bob"]
    actions.set_password(user, "Un-Mot-De-Passe-Solide-2026")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def production_settings(**env: str) -> dict:
    """The HTTPS settings as a production process reads them from its environment."""
    import json
    import os
    import subprocess
    import sys

    names = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]
    script = (
        f"import json, cartable.settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DEBUG", *names)}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "SECRET_KEY": "production-test", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_production_is_https_only_by_default():
    """Rule C7: without DEBUG, plain HTTP is redirected, cookies are Secure and HSTS is on."""
    assert production_settings() == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
    assert production_settings(DEBUG="true")["SECURE_SSL_REDIRECT"] is False


def test_plain_http_is_redirected_except_the_health_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/auth/login")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/auth/login"
    assert client.get("/healthz").status_code == 200


def test_pdf_rendering_fetches_nothing_from_disk_or_network():
    """A name like `<img src=file:///etc/passwd>` is escaped by the template; and were markup ever to
    reach WeasyPrint, its fetcher accepts data: URLs only."""
    from cartable.lib.pdf import _offline_fetcher

    fetcher = _offline_fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:8000/", "https://example.test/x.css"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
