"""Each app's part in a person's lifecycle is declared in its `lifecycle.py` (cartable.lib.lifecycle): no
model keeping rows about a person or an account escapes the purge (rule C5) by being forgotten here, and the
directory reaches the other apps only through that registry."""

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from cartable.directory import actions
from cartable.directory.demo import service_seeders
from cartable.directory.models import Person
from cartable.lib import lifecycle
from cartable.lib.lifecycle import Fate

ROOT = Path(__file__).resolve().parent.parent


def relations_to_people(model: type[models.Model]) -> list[models.Field]:
    """The model's own foreign keys, one-to-one and many-to-many fields to a person or an account."""
    targets = {Person, get_user_model()}
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.concrete or field.many_to_many
        if getattr(field, "related_model", None) in targets and not field.auto_created
    ]


def models_about_people() -> dict[type[models.Model], list[models.Field]]:
    found = {}
    for model in apps.get_models():
        fields = relations_to_people(model)
        if fields and model is not get_user_model():
            found[model] = fields
    return found


def test_every_model_pointing_at_a_person_or_an_account_is_declared_by_its_app():
    declared = lifecycle.declared()
    missing = [
        f"{model._meta.label} ({', '.join(f.name for f in fields)})"
        for model, fields in models_about_people().items()
        if model not in declared
    ]
    assert not missing, (
        "Say in the app's lifecycle.py (PERSONAL_DATA) what becomes of these rows at the purge (rule C5): "
        + ", ".join(missing)
    )
    # A Cartable app declares its own models; a library's models are declared by the app that uses them.
    misplaced = [
        f"{model._meta.label} declared by {label}"
        for model, (label, _fate) in declared.items()
        if model._meta.app_config.name.startswith("cartable.") and model._meta.app_label != label
    ]
    assert not misplaced


def test_declarations_are_about_people_and_have_their_hook():
    about_people = models_about_people()
    hooks = {app.label: app for app in lifecycle.registry()}
    for model, (label, fate) in lifecycle.declared().items():
        assert model in about_people, f"{model._meta.label} points at nobody: drop it from PERSONAL_DATA"
        assert isinstance(fate, Fate)
        if fate is Fate.FORGOTTEN:
            assert hooks[label].forget is not None, f"{label} forgets {model._meta.label}: it needs forget()"
        if fate is Fate.TRACE:
            assert hooks[label].nightly is not None, f"{label} keeps traces: it needs nightly()"
        if fate is Fate.CONTRIBUTION:
            # Kept under "Ancien compte", but gone with the person when they objected at closure.
            assert all(field.remote_field.on_delete is models.CASCADE for field in about_people[model]), (
                model._meta.label
            )


def test_the_registry_finds_each_apps_module_in_installed_apps_order():
    labels = [app.label for app in lifecycle.registry()]
    assert labels[0] == "directory"  # the purge runs before the other apps' nightly work
    assert {"accounts", "notifications", "messaging", "homework", "timetable", "feeds"} <= set(labels)
    # Demo data follow the same convention (demo.py), the directory's own coming first from seed().
    seeders = {seeder.__module__ for seeder in service_seeders()}
    assert seeders == {
        "cartable.messaging.demo",
        "cartable.timetable.demo",
        "cartable.homework.demo",
        "cartable.news.demo",
        "cartable.blog.demo",
        "cartable.liaison.demo",
        "cartable.albums.demo",
        "cartable.gar.demo",
        "cartable.sso.demo",
        "cartable.visio.demo",
    }


# That the directory imports no service app (they are reached through the registry) is part of the layers:
# tests/test_import_layers.py.


@pytest.mark.django_db
def test_the_purge_reaches_every_app_through_its_hook(world):
    """Homework "done" marks and calendar addresses were left behind before the apps declared them."""
    from cartable.homework.models import HomeworkDone
    from cartable.homework.tests.helpers import session
    from cartable.timetable.actions import create_calendar_token
    from cartable.timetable.models import CalendarToken

    alice, bob = world.person("alice"), world.person("bob")
    entry = session(world, homework=[("Exercice 1", timezone.localdate())])
    homework = entry.homework.get()
    for pupil in (alice, bob):
        HomeworkDone.objects.create(pupil=pupil, homework=homework)
        create_calendar_token(pupil.user, "téléphone")
    left = dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)
    actions.deactivate_people([alice.pk], left)

    result = actions.purge_expired_accounts(left + dt.timedelta(days=91), days=90)

    assert result.anonymized == 1
    assert not HomeworkDone.objects.filter(pupil=alice).exists()
    assert not CalendarToken.objects.filter(user=alice.user).exists()
    assert (
        HomeworkDone.objects.filter(pupil=bob).exists()
        and CalendarToken.objects.filter(user=bob.user).exists()
    )


@pytest.mark.django_db
def test_nightly_counts_are_summed_over_the_apps(world):
    from cartable.communication.models import CommunicationChange
    from cartable.console.models import AdminAction

    old = timezone.now() - dt.timedelta(days=800)
    CommunicationChange.objects.create(school=world.school_a, kind=CommunicationChange.Kind.PAUSED, at=old)
    AdminAction.objects.create(
        school=world.school_a, target=world.person("bob").user, kind=AdminAction.Kind.EDIT, at=old
    )
    done = lifecycle.run_nightly(timezone.now())
    assert done["admin_traces"] == 2  # one from the communication rules, one from the console
    assert {"anonymized", "deleted", "login_traces", "notifications"} <= done.keys()
