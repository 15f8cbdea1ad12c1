"""Browsers ask for /favicon.ico on every visit, whatever the pages link to: it leads to the app's icon."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_favicon_redirects_for_good_to_the_app_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/cartable/icons/app.svg"


@pytest.mark.django_db
def test_the_icon_it_leads_to_exists():
    icon = Client().get("/favicon.ico", follow=True)
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
