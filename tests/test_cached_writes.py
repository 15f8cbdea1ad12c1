"""Every write to a cached model bumps its version: checked for every action the tests run (tests/bumps.py,
enabled for every test by conftest._bumps_checked), and for the data migrations."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from cartable.directory import versions
from cartable.directory.models import Membership
from cartable.lib import facts
from tests import bumps

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def test_an_action_writing_a_cached_model_without_bumping_fails(world):
    def forgetful_action(person, school):
        Membership.objects.create(person=person, school=school, profile="Teacher")

    action = bumps.guarded(forgetful_action, "forgetful_action")
    with pytest.raises(bumps.Unbumped, match=r"directory\.Membership"):
        action(world.people["tess"], world.school_b)


def test_an_action_that_bumps_passes(world):
    def careful_action(person, school):
        Membership.objects.create(person=person, school=school, profile="Teacher")
        versions.bump_people([person.pk], school_ids=[school.pk])

    bumps.guarded(careful_action, "careful_action")(world.people["tess"], world.school_b)


def test_the_actions_of_every_app_are_checked():
    """The actions the tests call are the guarded ones (a module imported under another name would escape)."""
    from cartable.console import actions as console_actions
    from cartable.directory import actions as directory_actions

    assert getattr(directory_actions.link_guardian, "__guarded__", False)
    assert getattr(console_actions.set_mfa_required_for_staff, "__guarded__", False)
    assert "cartable.directory.actions" in bumps.action_modules()


def test_every_model_the_directory_facts_read_is_covered():
    covered = facts.covered_models()
    for model in apps.get_app_config("directory").get_models():
        if model.__name__ in {"SchoolYearChange"}:  # the rollover's history, read by no fact
            continue
        assert f"directory.{model.__name__}" in covered, model
    assert "communication.CommunicationRule" in covered
    for label in covered:
        apps.get_model(label)  # every label names a model


def test_data_migrations_that_write_cached_models_bump_their_versions():
    """A RunPython function that loads a covered model (apps.get_model) and writes must renew its versions:
    the cache outlives a deployment."""
    covered = {tuple(label.split(".")) for label in facts.covered_models()}
    offenders = []
    for path in sorted(ROOT.glob("cartable/*/migrations/0*.py")):
        source = path.read_text()
        if "RunPython" not in source:
            continue
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef):
                continue
            body = ast.get_source_segment(source, function) or ""
            models = set(re.findall(r'get_model\(\s*"(\w+)",\s*"(\w+)"\s*\)', body))
            writes = re.search(r"\.(save|create|get_or_create|update|delete|bulk_create|bulk_update)\(", body)
            if models & covered and writes and "bump_from_migration" not in body:
                offenders.append(f"{path.relative_to(ROOT)}:{function.name}")
    assert offenders == []
