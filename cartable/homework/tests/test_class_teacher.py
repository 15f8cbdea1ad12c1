"""A primary class teacher ("polyvalent": a teaching assignment without a subject) teaches every subject of
their school to their class: the cahier offers each subject for that class, and only for that class."""

import pytest
from django.urls import reverse

from cartable.directory import actions as directory
from cartable.homework import access
from cartable.homework.tests.helpers import french_5b, session
from cartable.lib.errors import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom_teaches_5b_every_subject(world):
    directory.assign_teaching(world.people["tom"], world.class_5b, None)
    return world


def test_each_subject_of_the_school_is_offered_for_the_class_of_a_class_teacher(tom_teaches_5b_every_subject):
    world = tom_teaches_5b_every_subject
    offered = {(t.group_name, t.subject_name) for t in access.teachings_of(world.fresh_user("tom"))}
    assert offered == {("5B", "Français"), ("5B", "Mathématiques"), ("6A", "Mathématiques")}


def test_the_class_teacher_writes_a_french_session_for_their_class_and_not_for_another(
    tom_teaches_5b_every_subject, client
):
    world = tom_teaches_5b_every_subject
    entry = session(world, group=world.class_5b, subject=french_5b(world))
    assert entry.subject is not None and entry.subject.name == "Français"
    with pytest.raises(Refused):
        session(world, group=world.class_6a, subject=french_5b(world))

    world.login(client, "tom")
    page = client.get(reverse("homework:entry_new")).content.decode()
    assert "5B — Français" in page and "6A — Français" not in page
