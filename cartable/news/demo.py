"""Demo news of the demo schools: a pinned one to the whole school (public, on the open public page of the
first school), one to the parents, one to a class, one prepared for next week. Only the demo pair of schools
gets content (see cartable.homework.demo)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartable.directory.models import Function, Group, GroupKind, Membership, School
from cartable.news import versions
from cartable.news.actions import notify_publication
from cartable.news.models import Audience, News, PublicPage


def _publisher(school: School):
    """The school's direction (read in Python: SQLite has no JSON containment lookup)."""
    for membership in Membership.objects.filter(school=school).exclude(functions=[]).select_related("person"):
        if Function.DIRECTION in (membership.functions or []):
            return membership.person
    return None


def seed_demo(plan) -> None:
    """Idempotent: a school with news already is left as it is."""
    if plan.schools > 2:
        return
    now = timezone.now()
    for number, school in enumerate(School.objects.order_by("uai")):
        if News.objects.filter(school=school).exists():
            continue
        author = _publisher(school)
        first_class = (
            Group.objects.filter(school=school, kind=GroupKind.CLASS, year__is_current=True)
            .order_by("name")
            .first()
        )
        rows = [
            News(
                school=school,
                author=author,
                title="Portes ouvertes le samedi 14 mars",
                body="<p>Venez découvrir l’établissement, les classes et les projets des élèves, "
                "de 9 h à 12 h.</p>",
                pinned=True,
                public=True,
                publish_at=now - dt.timedelta(days=2),
            ),
            News(
                school=school,
                author=author,
                title="Réunion parents-professeurs",
                body="<p>Les rencontres auront lieu jeudi à partir de 17 h. Inscrivez-vous auprès de "
                "l’enseignant de la classe.</p>",
                audience=Audience.PROFILES,
                for_relatives=True,
                publish_at=now - dt.timedelta(days=1),
                expire_at=now + dt.timedelta(days=10),
            ),
            News(
                school=school,
                author=author,
                title="Menu de la semaine prochaine",
                body="<p>Le menu sera affiché lundi.</p>",
                publish_at=now + dt.timedelta(days=7),
            ),
        ]
        News.objects.bulk_create(rows)
        if first_class is not None:
            news = News.objects.create(
                school=school,
                author=author,
                title=f"Sortie de la classe {first_class.name}",
                body="<p>Sortie au musée mardi prochain : prévoir un pique-nique et une tenue adaptée.</p>",
                audience=Audience.CLASSES,
                publish_at=now - dt.timedelta(hours=3),
            )
            news.classes.set([first_class])
        # Their audiences were told at their publication dates, as the worker does (the one still to come
        # is told at its date by the nightly catch-up).
        for pk in News.objects.filter(school=school, publish_at__lte=now).values_list("pk", flat=True):
            notify_publication(pk, now)
        versions.bump_schools([school.pk])
        if number == 0:
            PublicPage.objects.update_or_create(school=school, defaults={"enabled": True})
