"""The web server refuses the demo SECRET_KEY, uncollected static files, a missing OpenID Connect signing key
and the self-signed SAML pair outside DEBUG; management commands still run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    ignored = {
        "SECRET_KEY",
        "DEBUG",
        "PYTEST_VERSION",
        "OIDC_SIGNING_KEY_FILE",
        "SAML_IDP_KEY",
        "SAML_IDP_CERT",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_web_server_refuses_the_demo_key_in_production():
    result = run("import cartable.wsgi", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_web_server_refuses_to_start_before_collectstatic(tmp_path):
    result = run(
        "import cartable.wsgi",
        DEBUG="false",
        SECRET_KEY="a-real-key",
        STATIC_ROOT=str(tmp_path),
        **saml_pair(),
    )
    assert result.returncode != 0
    assert "collectstatic" in result.stderr


def signing_key(tmp_path: Path) -> str:
    """A copy of this machine's local key (var/, made by the settings) standing for a deployment's own."""
    copy = tmp_path / "oidc.pem"
    shutil.copy(ROOT / "var" / "oidc-signing-key.pem", copy)
    return str(copy)


def saml_pair() -> dict[str, str]:
    """A deployment's SAML signing pair (here the tests' own, given explicitly as a deployment does)."""
    from django.conf import settings

    return {"SAML_IDP_KEY": settings.SAML_IDP_KEY, "SAML_IDP_CERT": settings.SAML_IDP_CERT}


def test_web_server_refuses_to_start_without_an_oidc_signing_key(collected_static):
    result = run(
        "import cartable.wsgi",
        DEBUG="false",
        SECRET_KEY="a-real-key",
        STATIC_ROOT=str(collected_static),
        **saml_pair(),
    )
    assert result.returncode != 0
    assert "OIDC_SIGNING_KEY_FILE must name" in result.stderr


def test_web_server_refuses_the_self_signed_saml_pair_in_production(collected_static, tmp_path):
    result = run(
        "import cartable.wsgi",
        DEBUG="false",
        SECRET_KEY="a-real-key",
        STATIC_ROOT=str(collected_static),
        OIDC_SIGNING_KEY_FILE=signing_key(tmp_path),
    )
    assert result.returncode != 0
    assert "SAML_IDP_KEY" in result.stderr


def test_web_server_starts_with_a_real_key_or_in_debug(collected_static, tmp_path):
    production = run(
        "import cartable.wsgi",
        DEBUG="false",
        SECRET_KEY="a-real-key",
        STATIC_ROOT=str(collected_static),
        OIDC_SIGNING_KEY_FILE=signing_key(tmp_path),
        **saml_pair(),
    )
    assert production.returncode == 0, production.stderr
    # The demo (`make run`) serves the source files: nothing to collect.
    assert run("import cartable.asgi", DEBUG="true", STATIC_ROOT=str(tmp_path)).returncode == 0


def test_management_commands_run_without_a_key():
    result = run(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cartable.settings'); "
        "django.setup(); from django.core.management import call_command; call_command('check')"
    )
    assert result.returncode == 0, result.stderr
