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
