"""A small Django site that logs its users in through Cartable's CAS server with django-cas-ng, as a school's
application would (the test in ../test_cas_client.py runs it in its own process on 127.0.0.1)."""

import os

SECRET_KEY = "cas-client-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_cas_ng",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
AUTHENTICATION_BACKENDS = ["django_cas_ng.backends.CASBackend"]
ROOT_URLCONF = "cartable.sso.tests.cas_client.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CAS_CLIENT_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
# Both sites live on 127.0.0.1, where cookies ignore the port: names of their own.
SESSION_COOKIE_NAME = "client_session"
CSRF_COOKIE_NAME = "client_csrf"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

CAS_SERVER_URL = os.environ["CAS_SERVER_URL"]
CAS_VERSION = "3"
CAS_PROXY_CALLBACK = os.environ["CAS_CLIENT_URL"] + "/accounts/callback"
CAS_REDIRECT_URL = "/whoami"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
