"""Who reads, writes and manages which news, built on the one access policy (cartable.access.policy).

- A news item is read, between its publication and expiry dates, by its audience: every member of the
  school; or the profiles it names in its school (pupils, parents, staff); or the pupils of the classes it
  names, their legal guardians and the classes' teachers. A guardian thus reads what concerns their
  children's classes.
- The school's direction, vie scolaire, ENT admin and documentalist publish: they read and manage every news
  item of their school, whatever its dates and audience.
- Anyone, without login, reads the news a school marks public on its public page, if the school opened it.
Anything else answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cartable.access import policy
from cartable.directory.models import (
    STAFF_PROFILES,
    Function,
    GroupKind,
    Guardianship,
    Membership,
    Profile,
    TeachingAssignment,
)
from cartable.directory.queries import home_facts
from cartable.lib.params import int_or_404
from cartable.news.models import Audience, News, NewsAttachment, PublicPage

PUBLISHER_FUNCTIONS = (Function.DIRECTION, Function.VIE_SCOLAIRE, Function.ADML, Function.DOCUMENTALIST)


@dataclass(frozen=True)
class Reach:
    """What makes a news item concern a person: their profiles in each school, and the classes that are
    theirs (their own, their children's, those they teach)."""

    profiles: dict[int, frozenset[str]]
    class_ids: frozenset[int]

    def concerns(self, school_id: int, audience: str, flags: tuple[bool, bool, bool], classes: Any) -> bool:
        """The same rule as `current_news_q`, for the rows the home widget keeps in the cache."""
        if audience == Audience.CLASSES:
            return bool(self.class_ids.intersection(classes))
        held = self.profiles.get(school_id)
        if held is None:
            return False
        if audience == Audience.SCHOOL:
            return True
        for_pupils, for_relatives, for_staff = flags
        return (
            (for_pupils and Profile.STUDENT in held)
            or (for_relatives and Profile.RELATIVE in held)
            or (for_staff and bool(held.intersection(STAFF_PROFILES)))
        )


def reach_of(user: Any) -> Reach:
    """No query once the directory facts are cached (the children's classes come from the home facts).

    A legal guardian is a parent of every school where a child of theirs has a class this year, whether or
    not the directory gave them a membership there (a feed may list the pupil and not the parent)."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None:
        return Reach({}, frozenset())
    classes = set(viewer.class_ids) | set(viewer.taught_group_ids)
    profiles = {school_id: set(held) for school_id, held in viewer.profiles.items()}
    if viewer.child_ids:
        for child in home_facts(user).children:
            for card in child.classes:
                classes.add(card.pk)
                profiles.setdefault(card.school_id, set()).add(Profile.RELATIVE)
    return Reach({pk: frozenset(held) for pk, held in profiles.items()}, frozenset(classes))


def publishing_schools(user: Any) -> frozenset[int]:
    """The schools whose news the user publishes and manages."""
    return policy.viewer_for(user).schools_with_function(*PUBLISHER_FUNCTIONS)


def current_q(now: Any = None) -> Q:
    now = now or timezone.now()
    return Q(publish_at__lte=now) & (Q(expire_at__isnull=True) | Q(expire_at__gt=now))


def _audience_q(reach: Reach) -> Q:
    q = Q(pk__in=[])
    for school_id, held in reach.profiles.items():
        mine = Q(audience=Audience.SCHOOL)
        if Profile.STUDENT in held:
            mine |= Q(audience=Audience.PROFILES, for_pupils=True)
        if Profile.RELATIVE in held:
            mine |= Q(audience=Audience.PROFILES, for_relatives=True)
        if held.intersection(STAFF_PROFILES):
            mine |= Q(audience=Audience.PROFILES, for_staff=True)
        q |= Q(school_id=school_id) & mine
    if reach.class_ids:
        addressed = News.classes.through.objects.filter(group_id__in=reach.class_ids).values("news_id")
        q |= Q(audience=Audience.CLASSES, pk__in=addressed)
    return q


def news_for(user: Any) -> QuerySet[News]:
    """The current news that concern the user, and every current news item of the schools they publish for."""
    q = _audience_q(reach_of(user))
    publishing = publishing_schools(user)
    if publishing:
        q |= Q(school_id__in=publishing)
    return News.objects.filter(q).filter(current_q())


def managed_news(user: Any) -> QuerySet[News]:
    """Every news item of the schools the user publishes for, whatever its dates."""
    return News.objects.filter(school_id__in=publishing_schools(user))


def news_or_404(user: Any, news_id: Any) -> News:
    pk = int_or_404(news_id)
    found = (managed_news(user).filter(pk=pk).first() if publishing_schools(user) else None) or news_for(
        user
    ).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def managed_news_or_404(user: Any, news_id: Any) -> News:
    found = managed_news(user).filter(pk=int_or_404(news_id)).first()
    if found is None:
        raise Http404
    return found


def attachment_or_404(user: Any, attachment_id: Any) -> NewsAttachment:
    found = NewsAttachment.objects.select_related("stored").filter(pk=int_or_404(attachment_id)).first()
    if found is None:
        raise Http404
    news_or_404(user, found.news_id)
    return found


def audience_ids(news: News) -> set[int]:
    """The people a news item is addressed to (who read it once published, `news_for`), publishers apart:
    whom its publication is told to. The same rule in SQL, for every reader at once (a few queries)."""
    pupils = policy.current_enrolments().filter(student__left_at__isnull=True)
    members = Membership.objects.filter(school_id=news.school_id, person__left_at__isnull=True)
    if news.audience == Audience.CLASSES:
        class_ids = [group.pk for group in news.classes.all()]
        pupil_ids = set(pupils.filter(group_id__in=class_ids).values_list("student_id", flat=True))
        teacher_ids = set(
            TeachingAssignment.objects.filter(
                group_id__in=class_ids, teacher__left_at__isnull=True
            ).values_list("teacher_id", flat=True)
        )
        return pupil_ids | teacher_ids | _guardians_of(pupil_ids)
    if news.audience == Audience.SCHOOL:
        wanted = {Profile.STUDENT, Profile.RELATIVE, *STAFF_PROFILES}
    else:
        wanted = set()
        if news.for_pupils:
            wanted.add(Profile.STUDENT)
        if news.for_relatives:
            wanted.add(Profile.RELATIVE)
        if news.for_staff:
            wanted.update(STAFF_PROFILES)
    ids = set(members.filter(profile__in=wanted).values_list("person_id", flat=True))
    if Profile.RELATIVE in wanted:
        # The guardians of the school's pupils, members of the school or not (see reach_of).
        school_pupils = pupils.filter(group__school_id=news.school_id, group__kind=GroupKind.CLASS)
        ids |= _guardians_of(school_pupils.values("student_id"))
    return ids


def _guardians_of(pupil_ids: Any) -> set[int]:
    return set(
        Guardianship.objects.filter(
            student_id__in=pupil_ids, legal_guardian=True, relative__left_at__isnull=True
        ).values_list("relative_id", flat=True)
    )


def public_page_open(school_id: int) -> bool:
    return PublicPage.objects.filter(school_id=school_id, enabled=True).exists()


def public_news(school_id: int) -> QuerySet[News]:
    """What the school's public page shows: current news to the whole school, marked public."""
    return News.objects.filter(current_q(), school_id=school_id, audience=Audience.SCHOOL, public=True)
