"""Browser tests: Debian's chromium driven by Playwright against Django's live server.

They are skipped when chromium is not installed, except in CI (CARTABLE_E2E=1) where that is a failure.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium must not try to reach the network (this machine has none besides localhost).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def log_in(page, live_server, world, name: str) -> None:
    """The browser gets the session of a real login (with the second factor for staff); "anon": no session.
    The login form itself is tested by the tests that fill it in."""
    page.context.clear_cookies()
    if name == "anon":
        return
    cookie = world.login(Client(), name).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP: its middleware, built once for the session, must not send the
    browser to HTTPS as production does."""
    from django.test.utils import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_served_as_in_production():
    """pytest-django puts Django's static files handler in front of the live server; it looks files up in the
    source folders, which know no hashed names. Without it WhiteNoise serves what collectstatic gathered (the
    root conftest.py), as in production."""
    from django.contrib.staticfiles import handlers

    original = handlers.StaticFilesHandler
    handlers.StaticFilesHandler = lambda application: application
    yield
    handlers.StaticFilesHandler = original


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CARTABLE_E2E"):
            pytest.fail("chromium is required for the browser tests (apt-get install chromium)")
        pytest.skip("chromium is not installed: browser tests skipped (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are still sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    # The live server speaks plain HTTP on 127.0.0.1.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def world(transactional_db):
    from tests.world import build_world

    return build_world()
