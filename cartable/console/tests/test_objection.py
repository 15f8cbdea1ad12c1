"""The ADML records (or withdraws) a person's objection to keeping their contributions after their account
closes — for someone who writes to the school once they can no longer log in (rule C5)."""

import pytest
from django.urls import reverse

from cartable.console.models import AdminAction
from cartable.directory.models import Person

pytestmark = pytest.mark.django_db


def url(world, name, person="alice"):
    return reverse(f"console:{name}", args=[world.school_a.uai, world.person(person).pk])


def keeps(world, name="alice") -> bool:
    return Person.objects.get(pk=world.person(name).pk).keep_contributions


def test_the_adml_records_then_withdraws_an_objection_and_both_are_traced(client, world):
    world.login(client, "ada")
    page = client.get(url(world, "person")).content.decode()
    assert "gardées, signées « Ancien compte »" in page and url(world, "person_objection") in page
    assert client.get(url(world, "person_objection")).status_code == 200  # the confirmation page

    response = client.post(url(world, "person_objection"), follow=True)
    assert "L’opposition est enregistrée" in response.content.decode()
    assert keeps(world) is False and keeps(world, "bob") is True
    assert "effacées avec le compte (opposition)" in response.content.decode()

    client.post(url(world, "person_objection_withdraw"))
    assert keeps(world) is True
    kinds = list(
        AdminAction.objects.filter(target=world.users["alice"])
        .exclude(kind=AdminAction.Kind.VIEW)
        .values_list("kind", flat=True)
        .order_by("pk")
    )
    assert kinds == [AdminAction.Kind.OBJECTION, AdminAction.Kind.OBJECTION_WITHDRAWN]


@pytest.mark.parametrize("name", ["bruno", "tom", "paul", "marie", "alice"])
def test_nobody_else_records_an_objection(client, world, name):
    world.login(client, name)
    assert client.post(url(world, "person_objection")).status_code == 404
    assert keeps(world) is True
