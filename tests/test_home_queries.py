"""The home page of a guardian and of a teacher with every widget filled (news, mots to sign, timeline,
messages, homework, today's lessons): its queries pinned, warm and cold, and not growing with the data.

Every widget reads cached facts (cartable.lib.facts): warm, the page costs the user (and a
teacher's second-factor device); cold (every fact read again), a constant number whatever the news, mots and
notifications. bench/run.py measures its speed."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.directory import versions as directory_versions
from cartable.liaison import actions as liaison
from cartable.liaison import versions as liaison_versions
from cartable.liaison.models import Request
from cartable.messaging import actions as messaging
from cartable.news import actions as news
from cartable.news import versions as news_versions

pytestmark = pytest.mark.django_db

HOME = "/"
# Warm: the user; staff also have their second-factor device read. (The session is not counted: a query
# with database sessions, none with the cache's.)
WARM = {"marie": 1, "tom": 2}
# Cold: the above, the viewer's and home facts, the app switches, the child's groups, then each widget's
# own (news: the school's list and its classes; mots to sign; timeline; mailbox; homework; lessons).
COLD = {"marie": 14, "tom": 13}


def count(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len([q for q in queries if "django_session" not in q["sql"]]), response.content.decode()


def fill(world, n: int) -> None:
    """n more news for the school, n more mots to 6A's families, n more messages to Marie and Tom."""
    for i in range(n):
        news.publish_news(
            world.fresh_user("paul"),
            news.NewsInput(school_id=world.school_a.pk, title=f"Actualité {i}", body="Texte."),
        )
        liaison.send_mot(
            world.fresh_user("tom"),
            liaison.MotInput(
                title=f"Mot {i}",
                body="Merci de signer.",
                request=Request.SIGNATURE,
                group_ids=[world.class_6a.pk],
            ),
        )
        messaging.send_message(
            world.fresh_user("paul"),
            messaging.Draft(
                people=[world.person("marie").pk, world.person("tom").pk],
                subject=f"Message {i}",
                body="Bonjour.",
            ),
        )


def forget_every_fact(world) -> None:
    directory_versions.bump_platform()
    news_versions.bump_schools([world.school_a.pk])
    liaison_versions.bump_pupils([world.person("alice").pk])


@pytest.mark.parametrize("name", ["marie", "tom"])
def test_the_home_with_every_widget_costs_pinned_queries_that_do_not_grow(world, as_user, name):
    fill(world, 1)
    client = as_user(name)
    client.get(HOME)
    warm, body = count(client)
    assert "Actualité 0" in body and "Message 0" in body
    if name == "marie":
        assert "Mot 0" in body
    assert warm == WARM[name]
    forget_every_fact(world)
    cold, _body = count(client)
    assert cold == COLD[name]

    fill(world, 6)
    client.get(HOME)
    assert count(client)[0] == WARM[name]
    forget_every_fact(world)
    assert count(client)[0] == COLD[name]


def test_the_page_and_its_widgets_share_one_template_context(world, as_user):
    """The context processors run once per home page (cartable.portal.views.home binds the page's template
    context and renders the widgets in it): every form of the page carries the same masked CSRF token."""
    fill(world, 1)
    body = as_user("marie").get(HOME).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert "Marquer comme lue" in body and len(tokens) >= 3
    assert len(set(tokens)) == 1
