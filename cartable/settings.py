"""Cartable settings: one file, everything from the environment, safe defaults for `make run`."""

import ssl
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cartable.lib.env import (
    env_bool,
    env_choice,
    env_file,
    env_int,
    env_list,
    env_matching,
    env_port,
    env_str,
    env_time_of_day,
    env_time_zone,
    env_url,
)
from cartable.lib.selfsigned import ensure_pair
from cartable.lib.signing_key import read_or_make

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The default key only suits the local demo, the tests and management commands: the web server refuses to
# start with it unless DEBUG is on (see wsgi.py and asgi.py).
DEV_SECRET_KEY = "cartable-local-development-only"
SECRET_KEY = env_str("SECRET_KEY", "") or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, reached only through Cartable's login and second factor.
    "cartable.accounts.admin_site.CartableAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    # The OpenID Connect provider of the connected applications (cartable.sso.oidc).
    "oauth2_provider",
    "cartable.directory",
    "cartable.access",
    "cartable.communication",
    "cartable.accounts",
    "cartable.portal",
    "cartable.console",
    "cartable.feeds",
    "cartable.notifications",
    "cartable.files",
    "cartable.messaging",
    "cartable.timetable",
    "cartable.homework",
    "cartable.news",
    "cartable.blog",
    "cartable.liaison",
    "cartable.albums",
    "cartable.gar",
    "cartable.sso",
    "cartable.visio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come precompressed), above any middleware that reads or writes the body.
    "cartable.lib.compression.GZipMiddleware",
    "cartable.lib.params.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Version numbers of cached facts read once per request, each page's all in one round trip.
    "cartable.lib.facts.VersionsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cartable.accounts.middleware.AccountGateMiddleware",
    # A school's switched-off app answers 404 on every one of its pages (cartable.portal.switches).
    "cartable.portal.switches.AppSwitchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cartable.urls"
# Fields in error take the keyboard's focus after a failed submit (cartable/lib/forms.py).
FORM_RENDERER = "cartable.lib.forms.FormRenderer"
WSGI_APPLICATION = "cartable.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cartable" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "cartable.portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'cartable.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server and a worker share the embedded file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

REDIS_URL = env_str("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing one Redis client instead of building one per call.
            "BACKEND": "cartable.lib.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cartable"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # Without Redis the cache lives in the database, the one thing every process already shares (the web
    # server, the task worker, the import commands): a version bumped by any of them is seen by all the
    # others at their next request. The table is made by a migration (accounts 0003).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cartable_cache",
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cartable"),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 50_000)},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["cartable.accounts.backends.CartableBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    # The OpenID Connect client secrets only (128 random characters: a slow hash buys nothing there and
    # would cost every token exchange at 8 a.m.); never used for a person's password.
    "cartable.sso.hashers.ClientSecretHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "cartable.accounts.passwords.CnilPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# The link that confirms a new email address (cartable.accounts.email_change) works this long, once.
EMAIL_CONFIRMATION_TIMEOUT = env_int("EMAIL_CONFIRMATION_TIMEOUT", 3 * 24 * 3600)

# Sessions: HttpOnly, SameSite, Secure outside local demo; idle timeout enforced by AccountGateMiddleware.
SESSION_COOKIE_NAME = "cartable_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE", 12 * 3600)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# Rule C5: personal data of a deactivated account are deleted within 3 months, never later than 92 days.
ACCOUNT_PURGE_DAYS = min(env_int("ACCOUNT_PURGE_DAYS", 90), 92)
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"

# HTTPS everywhere (rule C7); behind a TLS-terminating proxy that sets X-Forwarded-Proto (BEHIND_PROXY=true).
# Plain HTTP is redirected unless DEBUG; the load balancer's health probe may stay on plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# How many reverse proxies append to X-Forwarded-For in front of the app (the client's address for throttling
# and traces is read there, cartable.lib.net); 0 reads REMOTE_ADDR.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1 if BEHIND_PROXY else 0)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: every page works under this policy.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "cartable" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "cartable" / "static"]
# Uploaded files (cartable.files): under MEDIA_ROOT by default. In production, S3-compatible object storage by
# one setting, FILES_STORAGE_BACKEND=storages.backends.s3.S3Storage (install "django-storages[s3]==1.14.6",
# which brings boto3), with the bucket and its keys below. Files are never served by the storage itself, only
# through Cartable's access check (cartable/files/serving.py): keep the bucket private.
FILES_STORAGE_BACKEND = env_str("FILES_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
STORAGES = {
    "default": {
        "BACKEND": FILES_STORAGE_BACKEND,
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            "default_acl": "private",
            "file_overwrite": False,
        }
        if FILES_STORAGE_BACKEND.endswith("S3Storage")
        else {},
    },
    "staticfiles": {"BACKEND": "cartable.lib.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# The antivirus every upload waits for (cartable/files): clamd's socket, `unix:///path` or `tcp://host:port`.
# Without it (`make run` on a machine without clamav-daemon) uploads stay in quarantine, unserved, marked "en
# cours d'analyse", and are scanned when it answers (every FILES_RESCAN_MINUTES).
CLAMAV_ADDRESS = env_str("CLAMAV_ADDRESS", "unix:///var/run/clamav/clamd.ctl")
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 60)
FILES_RESCAN_MINUTES = env_int("FILES_RESCAN_MINUTES", 15)
# With DEBUG (`make run`) the files are served from the source folders as they change. In production only what
# `manage.py collectstatic` gathered into STATIC_ROOT is served: hashed names cached for good, gzip and brotli
# copies (cartable/lib/storage.py); the web server refuses to start before collectstatic has run.
WHITENOISE_USE_FINDERS = DEBUG

# Background work: the tasks table in the database, run by `manage.py db_worker` (started by `make run`).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "127.0.0.1"),
            "port": env_int("EMAIL_PORT", 1025),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 10,
        }
        if env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend").endswith(
            "smtp.EmailBackend"
        )
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cartable <ne-pas-repondre@cartable.localhost>")

# Messaging: limits for pupils' accounts (a hijacked pupil account must not flood a school) and attachments.
MESSAGES_PER_HOUR_PUPIL = env_int("MESSAGES_PER_HOUR_PUPIL", 20)
MESSAGES_RECIPIENTS_MAX_PUPIL = env_int("MESSAGES_RECIPIENTS_MAX_PUPIL", 50)
MESSAGE_ATTACHMENT_MAX_BYTES = env_int("MESSAGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
MESSAGE_ATTACHMENTS_MAX = env_int("MESSAGE_ATTACHMENTS_MAX", 5)
HOMEWORK_MAX_ATTACHMENT_BYTES = env_int("HOMEWORK_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Virtual classes (cartable.visio): a BigBlueButton server, its address and shared secret as `bbb-conf
# --secret` prints them ("https://bbb.example.org/bigbluebutton/"). Unset: no virtual classes (the tile is
# hidden, the pages say the server is not configured). The checksum's hash (BigBlueButton 2.4 and later accept
# sha256; older ones only sha1), and how many minutes before its start pupils may join a virtual class.
BBB_URL = env_url("BBB_URL", "")
BBB_SECRET = env_str("BBB_SECRET", "").strip()
BBB_CHECKSUM = env_choice("BBB_CHECKSUM", "sha256", ("sha1", "sha256", "sha384", "sha512"))
BBB_OPEN_MINUTES_BEFORE = env_int("BBB_OPEN_MINUTES_BEFORE", 10)
if BBB_URL and (len(BBB_SECRET) < 16 or any(c.isspace() for c in BBB_SECRET)):
    raise ImproperlyConfigured(
        "BBB_SECRET must be the server's shared secret (at least 16 characters, no spaces) "
        "when BBB_URL is set"
    )
if BBB_SECRET and not BBB_URL:
    raise ImproperlyConfigured("BBB_SECRET is set but BBB_URL is not: give both, or neither")
if not 0 <= BBB_OPEN_MINUTES_BEFORE <= 240:
    raise ImproperlyConfigured(
        f"BBB_OPEN_MINUTES_BEFORE must be between 0 and 240 minutes, got {BBB_OPEN_MINUTES_BEFORE}"
    )
# Notifications: the time zone of quiet hours and of the daily digest, when the digest leaves ("HH:MM" in
# that zone), and the SMS provider (a class path).
NOTIFICATIONS_TIME_ZONE = env_time_zone("NOTIFICATIONS_TIME_ZONE", TIME_ZONE)
NOTIFICATIONS_DIGEST_TIME = env_time_of_day("NOTIFICATIONS_DIGEST_TIME", "07:30")
NOTIFICATIONS_SMS_PROVIDER = env_str("NOTIFICATIONS_SMS_PROVIDER", "cartable.notifications.sms.LogProvider")

# Brute-force limits within LOGIN_FAILURE_WINDOW (15 minutes): failures per account name typed, per client
# address and name typed, and per client address alone (high: a whole school may share one address).
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 20)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 200)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
PASSWORD_RESET_REQUESTS_PER_IP = env_int("PASSWORD_RESET_REQUESTS_PER_IP", 10)
ACTIVATION_CODE_DAYS = env_int("ACTIVATION_CODE_DAYS", 90)
# Rule C8: login and administration traces are kept 6 to 12 months.
TRACE_RETENTION_DAYS = min(env_int("TRACE_RETENTION_DAYS", 365), 366)
# Timeline notifications older than this are deleted at night (they are news, not an archive).
NOTIFICATION_RETENTION_DAYS = max(env_int("NOTIFICATION_RETENTION_DAYS", 365), 1)
# Single sign-on (cartable.sso, the CAS server): lifetimes in seconds of a service or proxy ticket
# (single-use, to be validated at once) and of a proxy-granting ticket; whether a proxy callback may be
# plain http on the loopback address (tests and a local demo only: production callbacks are https).
CAS_SERVICE_TICKET_SECONDS = env_int("CAS_SERVICE_TICKET_SECONDS", 10)
CAS_PROXY_GRANTING_TICKET_SECONDS = env_int("CAS_PROXY_GRANTING_TICKET_SECONDS", 2 * 60 * 60)
CAS_ALLOW_LOCAL_HTTP_CALLBACK = env_bool("CAS_ALLOW_LOCAL_HTTP_CALLBACK", False)
# OpenID Connect provider (cartable.sso.oidc, django-oauth-toolkit): the PEM file of the RSA key signing the
# ID tokens (RS256). Required to serve outside DEBUG; `make run` and the tests make one once under var/.
OIDC_SIGNING_KEY_FILE = env_file("OIDC_SIGNING_KEY_FILE", "")
# Lifetimes in seconds of an authorization code (single-use, exchanged at once) and of an access token.
OIDC_CODE_SECONDS = env_int("OIDC_CODE_SECONDS", 60)
OIDC_ACCESS_TOKEN_SECONDS = env_int("OIDC_ACCESS_TOKEN_SECONDS", 60 * 60)
# django-oauth-toolkit's own client model, not swapped (named here because migrations refer to it by setting).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": read_or_make(OIDC_SIGNING_KEY_FILE, BASE_DIR / "var"),
    # Authorization code with PKCE only (no implicit flow, no password grant).
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": OIDC_CODE_SECONDS,
    "ACCESS_TOKEN_EXPIRE_SECONDS": OIDC_ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": OIDC_ACCESS_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 24 * 60 * 60,
    "CLIENT_SECRET_HASHER": "cartable_client_secret",
    "OAUTH2_VALIDATOR_CLASS": "cartable.sso.oidc.CartableValidator",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post"],
    "SCOPES": {
        "openid": _("Vous identifier"),
        "profile": _("Vos nom et prénom"),
        "email": _("Votre adresse électronique"),
        "school": _("Vos établissements et profils"),
        "classes": _("Vos classes"),
        "children": _("Vos enfants (responsables)"),
    },
    "DEFAULT_SCOPES": ["openid"],
}

# The SAML 2 identity provider (cartable/sso/saml.py): its signing key and certificate (PEM files; the
# certificate is in its metadata at /saml/metadata, which the applications' service providers load), and the
# xmlsec1 program that signs. Without them a self-signed pair is made once under var/saml/ for `make run`, the
# tests and the management commands: the web server refuses it outside DEBUG (cartable/lib/startup.py).
SAML_IDP_KEY = env_file("SAML_IDP_KEY", "")
SAML_IDP_CERT = env_file("SAML_IDP_CERT", "")
SAML_IDP_SELF_SIGNED = not (SAML_IDP_KEY and SAML_IDP_CERT)
if SAML_IDP_SELF_SIGNED:
    SAML_IDP_KEY, SAML_IDP_CERT = ensure_pair(BASE_DIR / "var" / "saml", "idp", "Cartable SAML (development)")
# pysaml2 7.5.5 names the CFB cipher mode, which cryptography 50 warns has moved, at its import (in every
# command): Cartable never uses CFB.
warnings.filterwarnings("ignore", message="CFB has been moved", module=r"saml2\.")
SAML_XMLSEC_BINARY = env_str("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
# Authenticator apps show "Cartable: prenom.nom".
OTP_TOTP_ISSUER = "Cartable"
# Where an activation letter tells people to go.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# How to reach the data protection officer, shown on the privacy page (an address, a link or a phone number).
DPO_CONTACT = env_str("DPO_CONTACT", "")

# GAR (Gestionnaire d'accès aux ressources): the nightly export of the directory to the GAR (cartable/gar),
# delivered by SFTP at GAR_EXPORT_TIME (Paris time). Off while GAR_SFTP_HOST is empty; `manage.py export_gar
# DIR` writes the files without sending them. GAR_SOURCE is the ENT's code in the files' names, given by the
# GAR; the key is a private key file, the known hosts file holds the GAR server's host key (never trusted on
# first use).
GAR_SOURCE = env_matching(
    "GAR_SOURCE", "CARTABLE", r"[A-Za-z0-9-]{1,32}", "1 to 32 letters, digits or dashes"
)
GAR_SFTP_HOST = env_str("GAR_SFTP_HOST", "")
GAR_SFTP_PORT = env_port("GAR_SFTP_PORT", 22)
GAR_SFTP_USER = env_str("GAR_SFTP_USER", "")
GAR_SFTP_KEY = env_file("GAR_SFTP_KEY", "")
GAR_SFTP_KNOWN_HOSTS = env_file("GAR_SFTP_KNOWN_HOSTS", "")
GAR_SFTP_REMOTE_DIR = env_str("GAR_SFTP_REMOTE_DIR", ".")
GAR_EXPORT_TIME = env_time_of_day("GAR_EXPORT_TIME", "02:00")
if GAR_SFTP_HOST and not (GAR_SFTP_USER and GAR_SFTP_KEY and GAR_SFTP_KNOWN_HOSTS):
    raise ImproperlyConfigured(
        "GAR_SFTP_HOST is set: GAR_SFTP_USER, GAR_SFTP_KEY and GAR_SFTP_KNOWN_HOSTS must be set too"
    )

# The Médiacentre (cartable/gar/resources.py): each user's list of resources, asked of the GAR's "liste des
# ressources" web service at GAR_RESOURCES_URL (https only) over mutual TLS: the ENT's certificate and key
# given by the GAR, the authority that signed the GAR's server certificate (the system's authorities when
# empty). Off while GAR_RESOURCES_URL is empty: the Médiacentre then shows the school's own links only. A
# list is kept GAR_RESOURCES_CACHE_SECONDS per person and school; the GAR gets GAR_RESOURCES_TIMEOUT seconds
# to answer.
GAR_RESOURCES_URL = env_matching(
    "GAR_RESOURCES_URL", "", r"https://[^\s/?#]+(/[^\s?#]*)?", "an https:// address without query"
).rstrip("/")
GAR_CLIENT_CERT = env_file("GAR_CLIENT_CERT", "")
GAR_CLIENT_KEY = env_file("GAR_CLIENT_KEY", "")
GAR_CA_FILE = env_file("GAR_CA_FILE", "")
GAR_RESOURCES_TIMEOUT = env_int("GAR_RESOURCES_TIMEOUT", 5)
GAR_RESOURCES_CACHE_SECONDS = env_int("GAR_RESOURCES_CACHE_SECONDS", 300)
if GAR_RESOURCES_URL and not (GAR_CLIENT_CERT and GAR_CLIENT_KEY):
    raise ImproperlyConfigured("GAR_RESOURCES_URL is set: GAR_CLIENT_CERT and GAR_CLIENT_KEY must be set too")
if GAR_RESOURCES_URL:
    # A certificate that does not match its key, or a file that is no PEM, stops the start here rather than
    # at the first pupil's page.
    try:
        ssl.create_default_context(cafile=GAR_CA_FILE or None).load_cert_chain(
            GAR_CLIENT_CERT, GAR_CLIENT_KEY
        )
    except (ssl.SSLError, ValueError) as error:
        raise ImproperlyConfigured(
            f"GAR_CLIENT_CERT, GAR_CLIENT_KEY and GAR_CA_FILE must be PEM files, the key matching the "
            f"certificate: {error}"
        ) from error
if not 1 <= GAR_RESOURCES_TIMEOUT <= 60:
    raise ImproperlyConfigured(f"GAR_RESOURCES_TIMEOUT must be 1 to 60 seconds, got {GAR_RESOURCES_TIMEOUT}")
if GAR_RESOURCES_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("GAR_RESOURCES_CACHE_SECONDS must not be negative")

LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default "django" logger prints with a handler of its own and also passes each record
        # on to the root handler: every line of the autoreloader and of the task worker ("Task id=…
        # state=RUNNING") came out twice. One handler, no passing on. The worker sets the level of its
        # own logger ("django.tasks"), so its lines show whatever LOG_LEVEL says.
        "django": {"handlers": ["console"], "level": "INFO" if DEBUG else LOG_LEVEL, "propagate": False},
        # Configuring "django" resets its children: runserver's request lines keep Django's own format.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
