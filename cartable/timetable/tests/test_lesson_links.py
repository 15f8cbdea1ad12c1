"""The lessons of the week pages carry the links other apps register (cartable.timetable.lesson_links): a
service above the timetable adds to its sessions without the timetable importing it."""

import pytest
from django.urls import reverse

from cartable.timetable import lesson_links
from cartable.timetable.tests.helpers import MONDAY

pytestmark = pytest.mark.django_db


def test_a_registered_provider_adds_its_links_under_each_lesson_it_names(client, world, week, monkeypatch):
    seen = []

    def provider(user, lessons):
        seen.append((user.pk, len(lessons)))
        return {lesson.uid: [lesson_links.LessonLink("/ailleurs/", "Lien d’une autre appli", "à 8 h")]
                for lesson in lessons if lesson.course_id == week["english"].pk}  # fmt: skip

    monkeypatch.setattr(lesson_links, "_providers", {"other": provider})
    world.login(client, "alice")
    body = client.get(f"{reverse('timetable:week')}?semaine={MONDAY.isoformat()}").content.decode()
    assert body.count('href="/ailleurs/"') == 1 and "Lien d’une autre appli" in body and "à 8 h" in body
    assert seen == [(world.alice.pk, 2)]  # once for the whole week: her maths (cancelled) and English
