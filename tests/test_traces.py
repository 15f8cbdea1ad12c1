"""Rule C8: traces are kept 12 months, then deleted by `manage.py purge_old_traces` (run daily)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cartable.accounts.models import LoginEvent
from cartable.console.models import AdminAction

pytestmark = pytest.mark.django_db


def test_traces_older_than_the_retention_are_deleted_recent_ones_kept(world, settings):
    settings.TRACE_RETENTION_DAYS = 365
    now = timezone.now()
    old, recent = now - timedelta(days=366), now - timedelta(days=300)
    for at in (old, recent):
        LoginEvent.objects.create(user=world.alice, kind=LoginEvent.Kind.SUCCESS, at=at)
        AdminAction.objects.create(
            school=world.school_a, actor=world.ada, target=world.alice, kind=AdminAction.Kind.BLOCK, at=at
        )
    out = StringIO()
    call_command("purge_old_traces", stdout=out)
    assert list(LoginEvent.objects.values_list("at", flat=True)) == [recent]
    assert list(AdminAction.objects.values_list("at", flat=True)) == [recent]
    assert "1 traces de connexion et 1 traces d'administration" in out.getvalue()


def test_reads_of_a_pupils_records_are_traced_listed_to_the_admin_and_go_after_the_retention(
    world, settings, as_user
):
    from django.urls import reverse

    from cartable.access import lifecycle as access_lifecycle
    from cartable.access import reads
    from cartable.access.models import RecordRead

    settings.TRACE_RETENTION_DAYS = 365
    what = reads.describe("tests.record", "Dossier d'essai")
    alice, bob = world.person("alice"), world.person("bob")
    # A class's page names each pupil once, however many rows it shows of them.
    reads.trace_reads(world.vera, world.school_a.pk, [alice.pk, bob.pk, alice.pk], what)
    assert [(r.pupil_id, r.reader_id) for r in reads.reads_of(alice)] == [(alice.pk, world.vera.pk)]
    page = as_user("ada").get(reverse("console:person", args=[world.school_a.uai, alice.pk]))
    assert f"Dossier d&#x27;essai — {world.vera.username}" in page.content.decode()
    old = RecordRead.objects.create(
        school=world.school_a,
        reader=world.vera,
        pupil=bob,
        what=what,
        at=timezone.now() - timedelta(days=366),
    )
    assert access_lifecycle.nightly(timezone.now()) == {"record_reads": 1}
    assert not RecordRead.objects.filter(pk=old.pk).exists()
    assert RecordRead.objects.filter(pupil=bob).count() == 1
