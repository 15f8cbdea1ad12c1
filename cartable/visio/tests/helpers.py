"""Virtual classes for tests, on top of the permission world."""

from __future__ import annotations

import datetime as dt
import http.client
from urllib.parse import urlsplit

from django.utils import timezone

from cartable.visio import versions
from cartable.visio.models import VirtualClass


def scheduled(
    world, group=None, *, starts_in: int = 5, minutes: int = 60, title: str = "Révisions"
) -> VirtualClass:
    """Tom's virtual class for 6A (or `group`), starting in `starts_in` minutes (written as the action would,
    without a server)."""
    group = group or world.class_6a
    start = timezone.now() + dt.timedelta(minutes=starts_in)
    created = VirtualClass.objects.create(
        school=group.school,
        group=group,
        teacher=world.person("tom"),
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
    )
    versions.bump_groups([group.pk])
    return created


def follow_to_server(url: str) -> int:
    """What the browser does with a join address: one GET to the server, without following its redirection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        return connection.getresponse().status
    finally:
        connection.close()
