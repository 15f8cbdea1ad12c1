"""The demo news: in both demo schools, one of them with its public page open."""

import pytest
from django.test import Client

from cartable.directory import demo
from cartable.directory.models import School
from cartable.news.models import Audience, News, PublicPage
from cartable.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_both_demo_schools_get_news_and_one_public_page():
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    for school in School.objects.all():
        news = News.objects.filter(school=school)
        assert news.filter(pinned=True, public=True).exists()
        assert news.filter(audience=Audience.CLASSES, classes__isnull=False).exists()
        # The news already published were told to their audiences; the one still to come is not yet.
        told = news.exclude(notified_at=None)
        assert told.count() == 3 and not told.filter(title__startswith="Menu").exists()
    assert Notification.objects.filter(event__kind="news.published").exists()
    page = PublicPage.objects.get(enabled=True)
    body = Client().get(f"/actualites/etablissement/{page.school.uai}/").content.decode()
    assert "Portes ouvertes" in body and "Réunion parents-professeurs" not in body
