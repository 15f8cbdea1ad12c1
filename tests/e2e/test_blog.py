"""The class blog on a 360 px phone without any script: a parent comments on the teacher's post, the
teacher accepts the comment, the other parent then reads it; nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from cartable.blog.models import Blog, Post, Status
from tests.e2e.conftest import log_in

PHONE = {"width": 360, "height": 800}


@pytest.fixture
def no_script_page(browser, live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_parent_comments_and_the_teacher_accepts_on_a_phone_without_script(
    world, no_script_page, live_server
):
    Blog.objects.create(school=world.school_a, group=world.class_6a, comments_open=True)
    Post.objects.create(
        school=world.school_a,
        group=world.class_6a,
        author=world.person("tom"),
        title="Sortie au musée",
        body="<p>Une belle journée.</p>",
        status=Status.PUBLISHED,
    )
    page = no_script_page
    url = f"/blog/classe/{world.class_6a.pk}/"
    log_in(page, live_server, world, "marie")
    page.goto(url)
    page.get_by_label("Votre commentaire").fill("Merci pour cette sortie")
    page.get_by_role("button", name="Commenter").click()
    expect(page.get_by_text("il sera visible quand l’enseignant l’aura validé")).to_be_visible()
    expect(page.get_by_text("Merci pour cette sortie")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.context.clear_cookies()

    log_in(page, live_server, world, "tom")
    page.goto(url)
    expect(page.get_by_text("En attente de validation")).to_be_visible()
    page.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("Le commentaire est publié.")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, live_server, world, "marc")
    page.goto(url)
    expect(page.get_by_text("Merci pour cette sortie")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
