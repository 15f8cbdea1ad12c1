"""Refuse to serve requests with a configuration that is only safe for a local demo."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Written by collectstatic beside the files (ManifestStaticFilesStorage.manifest_name).
STATIC_MANIFEST = "staticfiles.json"


def refuse_unsafe_configuration() -> None:
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY and not settings.DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to serve Cartable (DEBUG=true allows the demo key)."
        )
    # Anyone may make the development pair's twin: assertions signed with it prove nothing.
    if settings.SAML_IDP_SELF_SIGNED and not settings.DEBUG:
        raise ImproperlyConfigured(
            "SAML_IDP_KEY and SAML_IDP_CERT must name the SAML identity provider's key and certificate "
            "to serve Cartable (DEBUG=true allows a self-signed pair under var/saml/)."
        )
    # Without the manifest every page would fail on its first stylesheet (production serves only what
    # collectstatic gathered: hashed names, compressed copies).
    if not settings.DEBUG and not Path(settings.STATIC_ROOT, STATIC_MANIFEST).exists():
        raise ImproperlyConfigured(
            f"Static files are not collected in {settings.STATIC_ROOT}: run `manage.py collectstatic "
            "--noinput` at each deployment (DEBUG=true serves them from the sources)."
        )
    # The ID tokens of the OpenID Connect provider would be signed with the key made on this machine for the
    # demo (var/), which a new machine would replace: every application would stop trusting Cartable.
    if not settings.OIDC_SIGNING_KEY_FILE and not settings.DEBUG:
        raise ImproperlyConfigured(
            "OIDC_SIGNING_KEY_FILE must name the PEM file of the RSA key signing the OpenID Connect ID "
            "tokens to serve Cartable (DEBUG=true uses a key made once under var/)."
        )
