"""Every write of the virtual classes: schedule one, cancel it, join it (the trace, rule C8), end it. Each
action checks the permission itself (views only parse), writes in one transaction and renews the class's
cached list of virtual classes (versions). The BigBlueButton server is called through cartable.visio.bbb."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access.policy import viewer_for
from cartable.directory.models import Group, Person
from cartable.lib.errors import Refused
from cartable.timetable.queries import lesson_on
from cartable.visio import access, bbb, versions
from cartable.visio.models import Role, VirtualClass, VirtualClassJoin

log = logging.getLogger(__name__)

LONGEST = dt.timedelta(hours=4)


@dataclass
class VirtualClassInput:
    group_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    recording_allowed: bool = False
    # The timetable's session it is made from (kept only if it is one of the teacher's for that group).
    course_id: int | None = None
    lesson_date: dt.date | None = None


def not_configured() -> Refused:
    return Refused(
        _("Les classes virtuelles ne sont pas disponibles : aucun serveur BigBlueButton n’est configuré.")
    )


def _teacher(user: Any) -> Person:
    person_id = viewer_for(user).person_id
    if person_id is None or not access.schedules(user):
        raise Refused(_("Seuls les enseignants programment des classes virtuelles."))
    return Person.objects.get(pk=person_id)


def _own_lesson(person_id: int, data: VirtualClassInput) -> tuple[int | None, dt.date | None]:
    """The session of the timetable, if it really is one the teacher gives to that group that day."""
    if data.course_id is None or data.lesson_date is None:
        return None, None
    lesson = lesson_on(data.course_id, data.lesson_date)
    if (
        lesson is None
        or lesson.cancelled
        or person_id not in {t.id for t in lesson.teachers}
        or data.group_id not in lesson.group_ids
    ):
        return None, None
    return data.course_id, data.lesson_date


def _checked(user: Any, data: VirtualClassInput, now: dt.datetime) -> Group:
    group = access.taught_groups(user).filter(pk=data.group_id).first()
    if group is None:
        raise Refused(_("Choisissez une de vos classes ou un de vos groupes."), field="group")
    title = data.title.strip()
    if not title:
        raise Refused(_("Donnez un titre à la classe virtuelle."), field="title")
    if data.ends_at <= data.starts_at:
        raise Refused(_("La fin doit suivre le début."), field="ends_at")
    if data.ends_at - data.starts_at > LONGEST:
        raise Refused(_("Une classe virtuelle dure au plus quatre heures."), field="ends_at")
    if data.ends_at <= now:
        raise Refused(
            _("Cette classe virtuelle serait déjà terminée : choisissez une fin à venir."), field="ends_at"
        )
    return group


def schedule(user: Any, data: VirtualClassInput, now: dt.datetime | None = None) -> VirtualClass:
    """A teacher schedules a virtual class for a class or group they teach."""
    if not bbb.configured():
        raise not_configured()
    teacher = _teacher(user)
    now = now or timezone.now()
    group = _checked(user, data, now)
    title = data.title.strip()
    course_id, lesson_date = _own_lesson(teacher.pk, data)
    with transaction.atomic():
        created = VirtualClass.objects.create(
            school_id=group.school_id,
            group=group,
            teacher=teacher,
            title=title[:200],
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            recording_allowed=data.recording_allowed,
            course_id=course_id,
            lesson_date=lesson_date,
            created_at=now,
        )
        versions.bump_groups([group.pk])
    return created


def change(
    user: Any, virtual_class: VirtualClass, data: VirtualClassInput, now: dt.datetime | None = None
) -> None:
    """Its teacher changes it (title, class, times, recording) until it is over."""
    if not access.can_manage(user, virtual_class):
        raise Refused(_("Seul l’enseignant qui l’a programmée peut modifier cette classe virtuelle."))
    now = now or timezone.now()
    if virtual_class.is_over(now):
        raise Refused(_("Cette classe virtuelle est terminée."))
    teacher = _teacher(user)
    group = _checked(user, data, now)
    if virtual_class.opened_at is not None and group.pk != virtual_class.group_id:
        raise Refused(_("Elle est déjà ouverte : sa classe ne change plus."), field="group")
    course_id, lesson_date = _own_lesson(teacher.pk, data)
    with transaction.atomic():
        before = virtual_class.group_id
        virtual_class.group = group
        virtual_class.school_id = group.school_id
        virtual_class.title = data.title.strip()[:200]
        virtual_class.starts_at, virtual_class.ends_at = data.starts_at, data.ends_at
        virtual_class.recording_allowed = data.recording_allowed
        if data.course_id is not None or group.pk != before:
            virtual_class.course_id, virtual_class.lesson_date = course_id, lesson_date
        virtual_class.save()
        versions.bump_groups([before, group.pk])


def cancel(user: Any, virtual_class: VirtualClass) -> None:
    """Its teacher cancels it (deletes it with the traces of who joined, ending it on the server first)."""
    if not access.can_manage(user, virtual_class):
        raise Refused(_("Seul l’enseignant qui l’a programmée peut annuler cette classe virtuelle."))
    if virtual_class.opened_at is not None and virtual_class.ended_at is None and bbb.configured():
        try:
            bbb.end(virtual_class.meeting_id, virtual_class.moderator_password)
        except (bbb.Unavailable, bbb.Failed) as error:
            log.warning("virtual class %s not ended on the server: %s", virtual_class.pk, error)
    with transaction.atomic():
        group_id = virtual_class.group_id
        virtual_class.delete()
        versions.bump_groups([group_id])


def meeting_of(virtual_class: VirtualClass, logout_url: str = "") -> bbb.Meeting:
    return bbb.Meeting(
        meeting_id=virtual_class.meeting_id,
        name=f"{virtual_class.title} — {virtual_class.group.name}",
        moderator_password=virtual_class.moderator_password,
        attendee_password=virtual_class.attendee_password,
        recording_allowed=virtual_class.recording_allowed,
        logout_url=logout_url,
    )


def _unavailable(error: Exception) -> Refused:
    log.warning("BigBlueButton server: %s", error)
    return Refused(_("Le serveur de classes virtuelles ne répond pas. Réessayez dans un instant."))


def join(
    user: Any, virtual_class: VirtualClass, *, logout_url: str = "", now: dt.datetime | None = None
) -> str:
    """The signed address that lets the user in, and the trace of it (rule C8). The teacher opens the
    meeting on the server (created at the first join, as moderator); a pupil joins it once the teacher has
    opened it, as a participant."""
    if not bbb.configured():
        raise not_configured()
    now = now or timezone.now()
    moderator = access.is_moderator(user, virtual_class)
    if not access.may_join_some_day(user, virtual_class):
        raise Refused(_("Seuls l’enseignant et les élèves de la classe rejoignent cette classe virtuelle."))
    if not access.can_join(user, virtual_class, now):
        if virtual_class.is_over(now):
            raise Refused(_("Cette classe virtuelle est terminée."))
        raise Refused(
            _("Cette classe virtuelle ouvre le %(day)s à %(time)s.")
            % {
                "day": timezone.localtime(virtual_class.opens_at(settings.BBB_OPEN_MINUTES_BEFORE)).strftime(
                    "%d/%m/%Y"
                ),
                "time": timezone.localtime(virtual_class.opens_at(settings.BBB_OPEN_MINUTES_BEFORE)).strftime(
                    "%H:%M"
                ),
            }
        )
    meeting = meeting_of(virtual_class, logout_url)
    try:
        if moderator:
            bbb.create(meeting)
        elif not bbb.is_meeting_running(virtual_class.meeting_id):
            raise Refused(
                _("Votre professeur n’a pas encore ouvert la classe virtuelle. Réessayez dans un instant.")
            )
    except (bbb.Unavailable, bbb.Failed) as error:
        raise _unavailable(error) from error
    person_id = viewer_for(user).person_id
    if person_id is None:
        raise ValueError("only a person joins")  # may_join_some_day() needs one
    person = Person.objects.get(pk=person_id)
    with transaction.atomic():
        VirtualClassJoin.objects.create(
            virtual_class=virtual_class,
            person=person,
            role=Role.MODERATOR if moderator else Role.ATTENDEE,
            at=now,
        )
        if moderator and virtual_class.opened_at is None:
            virtual_class.opened_at = now
            virtual_class.save(update_fields=["opened_at"])
            versions.bump_groups([virtual_class.group_id])
    return bbb.join_url(meeting, person.full_name, moderator=moderator)


def end(user: Any, virtual_class: VirtualClass, now: dt.datetime | None = None) -> None:
    """Its teacher ends it for everyone: nobody joins it any more."""
    if not access.can_manage(user, virtual_class):
        raise Refused(_("Seul l’enseignant qui l’a programmée peut terminer cette classe virtuelle."))
    if virtual_class.ended_at is not None:
        return
    if virtual_class.opened_at is not None:
        if not bbb.configured():
            raise not_configured()
        try:
            bbb.end(virtual_class.meeting_id, virtual_class.moderator_password)
        except (bbb.Unavailable, bbb.Failed) as error:
            raise _unavailable(error) from error
    with transaction.atomic():
        virtual_class.ended_at = now or timezone.now()
        virtual_class.save(update_fields=["ended_at"])
        versions.bump_groups([virtual_class.group_id])


def purge_old_joins(now: dt.datetime | None = None) -> int:
    """Rule C8: the traces of joins are kept as long as login traces (TRACE_RETENTION_DAYS)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.TRACE_RETENTION_DAYS)
    deleted, _by_model = VirtualClassJoin.objects.filter(at__lt=cutoff).delete()
    return deleted
