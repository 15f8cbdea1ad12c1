"""Who sees, manages and tags which albums and photos, built on the one access policy
(cartable.access.policy).

- A class's album is seen by the class's pupils, their legal guardians and every staff member of its school;
  a school event's album (no class) by the pupils of the school's classes, their guardians and its staff.
- An album of a past school year stays with the families it was theirs: the pupils who were in its class
  that year (or, for a school event, in a class of the school the year it was made) and their legal
  guardians, for as long as the directory keeps those enrolments — until the pupil's data is purged, at the
  latest 92 days after they leave (rule C5). The school year's rollover hides nothing.
- It is managed (photos added, tagged, removed) by the teachers of its class and by the school's direction
  and ENT admin (ADML), who also create the albums of school events.
- Image rights: the staff of the album's school see every photo. A pupil or a guardian sees a photo only
  when every pupil tagged on it has an image-rights consent granted. This includes the family of the pupil
  without consent: the rule asks for the consent of *every* tagged pupil's guardians, and a photo of a class
  is a photo of the others too; a family that wants its own child's photos gives the consent.
Anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from cartable.access import policy
from cartable.albums.models import Album, Photo, PhotoTag
from cartable.directory.models import STAFF_PROFILES, Enrolment, Function, Group, GroupKind, Person, Profile
from cartable.directory.queries import home_facts
from cartable.feeds.models import ImageRightsConsent
from cartable.lib.params import int_or_404

MANAGER_FUNCTIONS = (Function.DIRECTION, Function.ADML)


def staff_schools(user: Any) -> frozenset[int]:
    return policy.viewer_for(user).schools_with_profile(*STAFF_PROFILES)


def managing_schools(user: Any) -> frozenset[int]:
    """The schools whose every album the user manages (direction, ADML)."""
    return policy.viewer_for(user).schools_with_function(*MANAGER_FUNCTIONS)


def family_class_ids(user: Any) -> frozenset[int]:
    """The classes of a pupil, and of a guardian's children (no query once the directory facts are cached)."""
    viewer = policy.viewer_for(user)
    classes = set(viewer.class_ids)
    if viewer.child_ids:
        classes |= {card.pk for child in home_facts(user).children for card in child.classes}
    return frozenset(classes)


def _past_classes_q(user: Any) -> Q | None:
    """The albums of past school years that are still a family's: those of the classes the pupil (or a
    guardian's child) was in, and the school events of a school the year they had a class there. Subqueries
    of the albums' own query: no query more."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None or not (viewer.child_ids or viewer.schools_with_profile(Profile.STUDENT)):
        return None
    past = Enrolment.objects.filter(
        student_id__in=[viewer.person_id, *viewer.child_ids],
        group__kind=GroupKind.CLASS,
        group__year__is_current=False,
    )
    made = Cast(OuterRef("created_at"), output_field=DateField())
    that_year = past.filter(
        group__school_id=OuterRef("school_id"), group__year__start__lte=made, group__year__end__gte=made
    )
    return Q(group_id__in=past.values("group_id")) | Q(Exists(that_year), group__isnull=True)


def albums_visible_to(user: Any) -> QuerySet[Album]:
    staff = staff_schools(user)
    classes = family_class_ids(user)
    past = _past_classes_q(user)
    q = Q(school_id__in=staff)
    if classes:
        family_schools = Group.objects.filter(pk__in=classes).values("school_id")
        q |= Q(group_id__in=classes) | Q(group__isnull=True, school_id__in=family_schools)
    if past is not None:
        q |= past
    if not staff and not classes and past is None:
        return Album.objects.none()
    return Album.objects.filter(q)


def managed_albums(user: Any) -> QuerySet[Album]:
    viewer = policy.viewer_for(user)
    q = Q(school_id__in=managing_schools(user))
    if viewer.taught_group_ids:
        q |= Q(group_id__in=viewer.taught_group_ids)
    return Album.objects.filter(q)


def creatable_classes(user: Any) -> QuerySet[Group]:
    """The classes the user may make an album for: those they teach, every class of the schools they
    manage."""
    viewer = policy.viewer_for(user)
    return Group.objects.filter(
        Q(school_id__in=managing_schools(user)) | Q(pk__in=viewer.taught_group_ids),
        kind=GroupKind.CLASS,
        year__is_current=True,
    )


def without_consent() -> Exists:
    """True for a photo on which a tagged pupil has no image-rights consent granted (none recorded, or no)."""
    granted = ImageRightsConsent.objects.filter(granted=True).values("person_id")
    return Exists(PhotoTag.objects.filter(photo_id=OuterRef("pk")).exclude(pupil_id__in=granted))


def photos_visible_to(user: Any, album: Album | None = None) -> QuerySet[Photo]:
    """The photos the user may see (of one album, or of every album they see), in one query, consent
    included: the staff of the album's school see them all, families only those every tagged pupil's
    consent allows."""
    photos = Photo.objects.all() if album is None else Photo.objects.filter(album_id=album.pk)
    if album is None:
        photos = photos.filter(album__in=albums_visible_to(user))
    staff = staff_schools(user)
    if album is not None and album.school_id in staff:
        return photos
    return photos.filter(Q(album__school_id__in=staff) | ~without_consent())


def sees_every_photo(user: Any, album: Album) -> bool:
    return album.school_id in staff_schools(user)


def album_or_404(user: Any, album_id: Any) -> Album:
    found = albums_visible_to(user).select_related("group", "school").filter(pk=int_or_404(album_id)).first()
    if found is None:
        raise Http404
    return found


def managed_album_or_404(user: Any, album_id: Any) -> Album:
    found = managed_albums(user).select_related("group", "school").filter(pk=int_or_404(album_id)).first()
    if found is None:
        raise Http404
    return found


def photo_or_404(user: Any, photo_id: Any) -> Photo:
    found = (
        photos_visible_to(user)
        .select_related("album", "original", "thumbnail", "web")
        .filter(pk=int_or_404(photo_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def managed_photo_or_404(user: Any, photo_id: Any) -> Photo:
    found = (
        Photo.objects.filter(album__in=managed_albums(user))
        .select_related("album", "original")
        .filter(pk=int_or_404(photo_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def taggable_pupils(album: Album) -> QuerySet[Person]:
    """Who may be tagged on a photo of the album: the pupils of its class, or of the school's classes."""
    enrolled = policy.current_enrolments().filter(group__kind=GroupKind.CLASS)
    if album.group_id is not None:
        enrolled = enrolled.filter(group_id=album.group_id)
    else:
        enrolled = enrolled.filter(group__school_id=album.school_id)
    return Person.objects.filter(pk__in=enrolled.values("student_id"), left_at__isnull=True)


def consent_pupils(user: Any) -> QuerySet[Person]:
    """The pupils whose image-rights answer the user records: a guardian's children; every pupil of the
    schools the user manages (direction, ADML)."""
    viewer = policy.viewer_for(user)
    q = Q(pk__in=list(viewer.child_ids))
    managing = managing_schools(user)
    if managing:
        enrolled = policy.current_enrolments().filter(group__school_id__in=managing)
        q |= Q(pk__in=enrolled.values("student_id"))
    return Person.objects.filter(q)


def consent_pupil_or_404(user: Any, person_id: Any) -> Any:
    found = consent_pupils(user).filter(pk=int_or_404(person_id)).first()
    if found is None:
        raise Http404
    return found
