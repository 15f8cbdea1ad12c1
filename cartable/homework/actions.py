"""Every write of the cahier de textes: sessions and their homework, done ticks, visas.

Each action checks the permission itself (views only parse), writes in one transaction, and tells pupils and
guardians of new homework on their timeline once the session is visible to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.directory.models import Group, Guardianship, Person
from cartable.files import actions as files_actions
from cartable.homework import access, queries, versions
from cartable.homework.models import Entry, EntryAttachment, Homework, HomeworkDone, Visa
from cartable.lib.errors import Refused
from cartable.lib.french import de
from cartable.lib.html import plain_text
from cartable.lib.rich_text import rich_text
from cartable.notifications.actions import publish

HOMEWORK_ADDED = "homework.added"


class AlreadyWritten(Refused):
    """The session is already in the cahier de textes: it is edited, not written a second time."""

    def __init__(self, message: str, entry: Entry | None = None) -> None:
        super().__init__(message)
        self.entry = entry


@dataclass
class HomeworkInput:
    instructions: str
    due_date: dt.date
    duration_minutes: int | None = None
    files: list[UploadedFile[bytes]] = field(default_factory=list)
    id: int | None = None  # an existing item of the entry being edited
    delete: bool = False


@dataclass
class EntryInput:
    group_id: int
    subject_id: int | None
    date: dt.date
    start_time: dt.time | None = None
    title: str = ""
    content: str = ""
    visible_from: dt.datetime | None = None
    course_id: int | None = None
    files: list[UploadedFile[bytes]] = field(default_factory=list)
    homework: list[HomeworkInput] = field(default_factory=list)
    remove_attachments: list[int] = field(default_factory=list)


def _author(user: Any) -> Person:
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        raise Refused(_("Seuls les enseignants remplissent le cahier de textes."))
    return Person.objects.get(pk=person_id)


def check_not_locked(group_id: int, day: dt.date, group_name: str = "") -> None:
    visa_date = access.last_visa_date(group_id)
    if visa_date is not None and day <= visa_date:
        raise Refused(
            _(
                "Le cahier de textes %(of_group)s a été visé par la direction jusqu'au %(date)s : "
                "les séances de cette période ne peuvent plus être ajoutées, modifiées ni supprimées."
            )
            % {
                "of_group": de(group_name or Group.objects.get(pk=group_id).name),
                "date": date_format(visa_date),
            }
        )


def _store_files(entry: Entry, homework: Homework | None, files: Iterable[UploadedFile[bytes]]) -> None:
    """Each file goes through cartable.files: stored in quarantine, scanned once the transaction commits."""
    EntryAttachment.objects.bulk_create(
        EntryAttachment(
            entry=entry,
            homework=homework,
            stored=files_actions.store_upload(upload, owner=entry.author, school_id=entry.school_id),
            name=(upload.name or "fichier")[:200],
        )
        for upload in files
    )


def _release_files(attachments: Iterable[EntryAttachment]) -> None:
    """The stored files of attachments about to go: deleted once nothing refers to them (after the delete)."""
    stored_ids = [a.stored_id for a in attachments]
    if stored_ids:
        transaction.on_commit(lambda: files_actions.release(stored_ids))


def _write_homework(entry: Entry, items: list[HomeworkInput]) -> None:
    existing = {h.pk: h for h in entry.homework.all()} if entry.pk else {}
    for item in items:
        if item.id is not None:
            homework = existing.get(item.id)
            if homework is None:
                continue  # not an item of this entry: ignored, as if it had not been sent
            if item.delete:
                _release_files(homework.attachments.all())
                homework.delete()
                continue
            homework.instructions = rich_text(item.instructions)
            homework.due_date = item.due_date
            homework.duration_minutes = item.duration_minutes
            homework.save(update_fields=["instructions", "due_date", "duration_minutes"])
        elif item.delete:
            continue
        else:
            homework = Homework.objects.create(
                entry=entry,
                instructions=rich_text(item.instructions),
                due_date=item.due_date,
                duration_minutes=item.duration_minutes,
            )
        _store_files(entry, homework, item.files)


def _after_write(entry: Entry) -> None:
    """Announce the new homework now if pupils see the session, else when they will."""
    if entry.is_visible():
        announce_homework(entry.pk)
    elif entry.homework.filter(announced_at__isnull=True).exists():
        from cartable.homework.tasks import announce_homework_task

        entry_id, when = entry.pk, entry.visible_from
        transaction.on_commit(lambda: announce_homework_task.using(run_after=when).enqueue(entry_id))


def _slot_label(teaching: access.Teaching, day: dt.date, start: dt.time | None) -> str:
    when = date_format(day, "l j F Y")
    if start is not None:
        when = _("%(date)s à %(time)s") % {"date": when, "time": time_format(start, "H\\hi")}
    return f"{teaching.label}, {when}"


def _check_not_written(teaching: access.Teaching, data: EntryInput, entry: Entry | None = None) -> None:
    """One session per class or group, subject, day and start time, and per lesson of the timetable."""
    course_id = data.course_id if data.course_id is not None else (entry.course_id if entry else None)
    found = queries.same_session(
        teaching.group_id,
        teaching.subject_id,
        data.date,
        data.start_time,
        course_id,
        exclude=entry.pk if entry is not None else None,
    ).first()
    if found is not None:
        raise _already_written(teaching, data, found)


def _already_written(teaching: access.Teaching, data: EntryInput, found: Entry | None) -> AlreadyWritten:
    return AlreadyWritten(
        _(
            "Cette séance est déjà dans le cahier de textes (%(slot)s) : modifiez-la plutôt que "
            "d'en écrire une seconde."
        )
        % {"slot": _slot_label(teaching, data.date, data.start_time)},
        found,
    )


EMPTY_SESSION = _(
    "La séance est vide : écrivez son contenu ou son titre, donnez un travail à faire ou joignez un fichier."
)


def _is_empty(data: EntryInput, entry: Entry | None = None) -> bool:
    """Nothing would be left in the session: no title, no content, no file, no homework."""
    if data.title.strip() or plain_text(rich_text(data.content)) or data.files:
        return False
    if any(item.id is None and not item.delete for item in data.homework):
        return False
    if entry is None:
        return True
    deleted = {item.id for item in data.homework if item.id is not None and item.delete}
    if entry.homework.exclude(pk__in=deleted).exists():
        return False
    kept_files = entry.attachments.filter(homework__isnull=True).exclude(pk__in=data.remove_attachments)
    return not kept_files.exists()


@transaction.atomic
def create_entry(user: Any, data: EntryInput) -> Entry:
    teaching = access.teaching_for(user, data.group_id, data.subject_id)
    if teaching is None:
        raise Refused(_("Vous ne pouvez écrire que dans le cahier de textes de vos classes et groupes."))
    check_not_locked(data.group_id, data.date, teaching.group_name)
    if _is_empty(data):
        raise Refused(EMPTY_SESSION)
    _check_not_written(teaching, data)
    now = timezone.now()
    try:
        # The constraint catches the second of two requests that passed the check together (a double click).
        with transaction.atomic():
            entry = Entry.objects.create(
                school_id=teaching.school_id,
                group_id=teaching.group_id,
                subject_id=teaching.subject_id,
                author=_author(user),
                date=data.date,
                start_time=data.start_time,
                course_id=data.course_id,
                title=data.title.strip(),
                content=rich_text(data.content),
                visible_from=data.visible_from if data.visible_from and data.visible_from > now else None,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise _already_written(teaching, data, None) from None
    _store_files(entry, None, data.files)
    _write_homework(entry, data.homework)
    _after_write(entry)
    versions.bump_groups([entry.group_id])
    return entry


@transaction.atomic
def update_entry(user: Any, entry: Entry, data: EntryInput) -> Entry:
    """The author edits a session (and its homework) before any visa covers it, old date or new."""
    entry = access.own_entry_or_404(user, entry.pk)
    check_not_locked(entry.group_id, entry.date, entry.group.name)
    teaching = access.teaching_for(user, data.group_id, data.subject_id)
    if teaching is None:
        raise Refused(_("Vous ne pouvez écrire que dans le cahier de textes de vos classes et groupes."))
    check_not_locked(teaching.group_id, data.date, teaching.group_name)
    if _is_empty(data, entry):
        raise Refused(EMPTY_SESSION)
    _check_not_written(teaching, data, entry)
    versions.bump_groups([entry.group_id, teaching.group_id])
    now = timezone.now()
    if data.visible_from is None or data.visible_from <= now:
        # Already visible sessions stay visible; a past date means "now".
        visible_from = None if data.visible_from is None or entry.is_visible(now) else now
    else:
        visible_from = data.visible_from
    entry.school_id = teaching.school_id
    entry.group_id = teaching.group_id
    entry.subject_id = teaching.subject_id
    entry.date = data.date
    entry.start_time = data.start_time
    entry.course_id = data.course_id if data.course_id is not None else entry.course_id
    entry.title = data.title.strip()
    entry.content = rich_text(data.content)
    entry.visible_from = visible_from
    entry.updated_at = now
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise _already_written(teaching, data, None) from None
    removed = list(entry.attachments.filter(pk__in=data.remove_attachments))
    _release_files(removed)
    entry.attachments.filter(pk__in=[a.pk for a in removed]).delete()
    _store_files(entry, None, data.files)
    _write_homework(entry, data.homework)
    _after_write(entry)
    return entry


@transaction.atomic
def delete_entry(user: Any, entry: Entry) -> None:
    entry = access.own_entry_or_404(user, entry.pk)
    check_not_locked(entry.group_id, entry.date, entry.group.name)
    _release_files(entry.attachments.all())
    versions.bump_groups([entry.group_id])
    entry.delete()


@transaction.atomic
def announce_homework(entry_id: int) -> int:
    """Tell the pupils of the group and their guardians of the homework not announced yet, if pupils see the
    session now. Safe to run twice. Returns the number of items announced."""
    entry = Entry.objects.select_related("group", "subject", "author", "school").filter(pk=entry_id).first()
    if entry is None or not entry.is_visible():
        return 0
    pending = list(
        Homework.objects.select_for_update()
        .filter(entry=entry, announced_at__isnull=True)
        .order_by("due_date")
    )
    if not pending:
        return 0
    enrolled = current_enrolments().filter(group_id=entry.group_id).values("student_id")
    pupils = list(Person.objects.filter(pk__in=enrolled, left_at__isnull=True))
    guardians: dict[int, list[int]] = {}
    for relative_id, student_id in Guardianship.objects.filter(
        student__in=pupils, legal_guardian=True
    ).values_list("relative_id", "student_id"):
        guardians.setdefault(student_id, []).append(relative_id)
    data = {
        "group": entry.group.name,
        "subject": entry.subject.name if entry.subject else "",
        "due": pending[0].due_date.isoformat(),
        "count": len(pending),
    }
    todo = reverse("homework:todo")
    for pupil in pupils:
        publish(
            HOMEWORK_ADDED,
            recipients=[pupil.pk, *guardians.get(pupil.pk, [])],
            school=entry.school,
            actor=entry.author,
            about=pupil,
            data=data,
            # Guardians land on this child's list; the pupil on their own (the parameter is ignored).
            url=f"{todo}?enfant={pupil.pk}",
        )
    Homework.objects.filter(pk__in=[h.pk for h in pending]).update(announced_at=timezone.now())
    versions.bump_groups([entry.group_id])
    return len(pending)


@transaction.atomic
def set_done(user: Any, homework: Homework, done: bool) -> Homework:
    """A pupil ticks (or unticks) homework of their own classes and groups as done (found by
    access.homework_to_tick_or_404)."""
    viewer = policy.viewer_for(user)
    if not policy.is_pupil(user) or viewer.person_id is None:
        raise Refused(_("Seuls les élèves cochent leur travail."))
    if not access.homework_visible_in(viewer.group_ids).filter(pk=homework.pk).exists():
        raise Refused(_("Ce travail n'existe pas."))
    if done:
        HomeworkDone.objects.get_or_create(pupil_id=viewer.person_id, homework=homework)
    else:
        HomeworkDone.objects.filter(pupil_id=viewer.person_id, homework=homework).delete()
    versions.bump_done(viewer.person_id)
    return homework


@transaction.atomic
def sign_visa(user: Any, group: Group, comment: str = "", up_to: dt.date | None = None) -> Visa:
    """The direction signs a class's or group's cahier up to a day (yesterday unless told): the sessions of
    that day and before are locked, never a later one. A day to come, or one a visa already covers, is
    refused."""
    if group.school_id not in access.directed_schools(user):
        raise Refused(_("Seule la direction de l'établissement vise le cahier de textes."))
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        raise Refused(_("Seule la direction de l'établissement vise le cahier de textes."))
    now = timezone.now()
    today = timezone.localdate(now)
    day = up_to or queries.default_visa_date(today)
    if day > today:
        raise Refused(
            _("Un visa ne porte que sur des séances passées : choisissez une date jusqu'à aujourd'hui.")
        )
    start = Group.objects.filter(pk=group.pk).values_list("year__start", flat=True).get()
    if day < start:
        raise Refused(
            _("Choisissez une date de cette année scolaire, qui a commencé le %(date)s.")
            % {"date": date_format(start)}
        )
    covered = access.last_visa_date(group.pk)
    if covered is not None and day <= covered:
        raise Refused(
            _("Ce cahier de textes est déjà visé jusqu'au %(date)s : choisissez une date postérieure.")
            % {"date": date_format(covered)}
        )
    visa = Visa.objects.create(
        school_id=group.school_id,
        group=group,
        signed_by_id=person_id,
        signed_at=now,
        date=day,
        comment=comment.strip(),
    )
    # The sessions it covers are locked: what is cached about the class's cahier is read again.
    versions.bump_groups([group.pk])
    return visa
