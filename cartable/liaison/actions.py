"""Every write of the cahier de liaison: mots to families, signatures and replies, reminders, the families'
mots to a teacher and their acknowledgement.

Each action checks the permission itself (views only parse), writes in one transaction, and tells people on
their timeline (and by email) through cartable.notifications, whose emails leave after commit. A mot to the
2,000 guardians of a collège is a handful of statements: the pupils concerned in one insert, the timeline
entries in another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.communication import rules as communication
from cartable.directory.bulk import copy_rows
from cartable.directory.models import GroupKind, Person
from cartable.files import actions as files_actions
from cartable.liaison import access, queries, versions
from cartable.liaison.models import FamilyMot, Mot, MotAttachment, MotPupil, Request, Signature
from cartable.lib.errors import Refused
from cartable.notifications.actions import publish

NEW_MOT = "liaison.new_mot"
REMINDER = "liaison.reminder"
FAMILY_MOT = "liaison.family_mot"
ACKNOWLEDGED = "liaison.acknowledged"

MAX_CHOICES = 6

EDIT_REFUSED = gettext_lazy(
    "Une famille a déjà signé ou répondu : ce mot ne peut plus être modifié. Pour une correction, "
    "écrivez un nouveau mot."
)


@dataclass
class MotInput:
    title: str
    body: str
    request: str = Request.NONE
    question: str = ""
    choices: list[str] = field(default_factory=list)
    allow_comment: bool = False
    both_guardians: bool = False
    deadline: dt.date | None = None
    group_ids: list[int] = field(default_factory=list)
    pupil_id: int | None = None
    files: list[UploadedFile[bytes]] = field(default_factory=list)
    remove_attachments: list[int] = field(default_factory=list)  # when editing


def _person(user: Any, refusal: str) -> Person:
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        raise Refused(refusal)
    return Person.objects.get(pk=person_id)


def _check_request(data: MotInput) -> list[str]:
    """The reply slip's choices, cleaned; refusals for what a mot asking something lacks."""
    if data.request not in Request.values:
        raise Refused(_("Choisissez ce que le mot demande aux familles."), "request")
    choices = list(dict.fromkeys(c.strip()[:100] for c in data.choices if c.strip()))
    if data.request == Request.REPLY:
        if not data.question.strip():
            raise Refused(_("Écrivez la question du coupon-réponse."), "question")
        if len(choices) < 2:
            raise Refused(_("Proposez au moins deux choix (par exemple « oui » et « non »)."), "choices")
        if len(choices) > MAX_CHOICES:
            raise Refused(_("Proposez au plus %(max)s choix.") % {"max": MAX_CHOICES}, "choices")
        return choices
    return []


def _concerned(user: Any, data: MotInput) -> tuple[dict[int, str], list[str], int]:
    """{pupil id: class name} of the pupils concerned, the audience's words and the school, or Refused when
    a class, a group or the pupil is out of the writer's reach (a forged form): nothing is written then."""
    if not data.group_ids and data.pupil_id is None:
        raise Refused(_("Choisissez au moins une classe, un groupe ou un élève."), "groups")
    groups = list(
        access.writable_groups(user).filter(pk__in=data.group_ids).values_list("pk", "name", "school_id")
    )
    if len(groups) != len(set(data.group_ids)):
        raise Refused(_("Vous n'écrivez pas aux familles de certaines des classes choisies."), "groups")
    schools = {school for _pk, _name, school in groups}
    words = [name for _pk, name, _school in sorted(groups, key=lambda g: g[1])]
    pupils: dict[int, str] = {}
    rows = (
        current_enrolments()
        .filter(group_id__in=[pk for pk, _n, _s in groups], student__left_at__isnull=True)
        .order_by("student_id", "group__kind", "group__name")
        .values_list("student_id", "group__name", "group__kind")
    )
    for pupil_id, group_name, kind in rows:
        # A pupil in two chosen groups is concerned once, under their class when it is one of them.
        if pupil_id not in pupils or kind == GroupKind.CLASS:
            pupils[pupil_id] = group_name
    if data.pupil_id is not None:
        pupil = access.writable_pupils(user).filter(pk=data.pupil_id).first()
        if pupil is None:
            raise Refused(_("Vous n'écrivez pas à la famille de cet élève."), "pupil")
        enrolment = (
            current_enrolments()
            .filter(student_id=pupil.pk, group__in=access.writable_groups(user))
            .order_by("group__kind", "group__name")
            .values_list("group__name", "group__school_id")
            .first()
        )
        assert enrolment is not None  # writable_pupils says so
        pupils.setdefault(pupil.pk, enrolment[0])
        schools.add(enrolment[1])
        words.append(f"{pupil.full_name} ({enrolment[0]})")
    if len(schools) != 1:
        raise Refused(_("Un mot s'adresse aux familles d'un seul établissement."), "groups")
    if not pupils:
        raise Refused(_("Ces classes ne comptent aucun élève."), "groups")
    return pupils, words, schools.pop()


@transaction.atomic
def send_mot(user: Any, data: MotInput) -> Mot:
    """Write a mot to the families of the chosen classes, groups or pupil: the pupils concerned in one
    insert, every legal guardian told on their timeline and by email."""
    author = _person(user, _("Seuls les enseignants, la direction et la vie scolaire écrivent des mots."))
    if not access.may_write(user):
        raise Refused(_("Seuls les enseignants, la direction et la vie scolaire écrivent des mots."))
    title, body = data.title.strip(), data.body.strip()
    if not title:
        raise Refused(_("Donnez un titre au mot."), "title")
    if not body:
        raise Refused(_("Le mot est vide."), "body")
    choices = _check_request(data)
    if data.deadline is not None and data.deadline < timezone.localdate():
        raise Refused(_("La date limite est déjà passée."), "deadline")
    pupils, words, school_id = _concerned(user, data)
    asks = data.request != Request.NONE
    mot = Mot.objects.create(
        school_id=school_id,
        author=author,
        title=title[:200],
        body=body,
        request=data.request,
        question=data.question.strip()[:300] if data.request == Request.REPLY else "",
        choices=choices,
        allow_comment=data.allow_comment and data.request == Request.REPLY,
        both_guardians=data.both_guardians and asks,
        deadline=data.deadline if asks else None,
        audience=", ".join(words)[:300],
    )
    _store_files(mot, author, data.files)
    # Plain rows through COPY (bulk_create on SQLite): a thousand model objects cost more than the insert.
    copy_rows(
        MotPupil,
        ["mot_id", "school_id", "pupil_id", "group_name"],
        ((mot.pk, school_id, pupil_id, name) for pupil_id, name in pupils.items()),
    )
    # The author's request does not read the families' widgets again: the bump at commit is enough.
    versions.bump_pupils(pupils, at_once=False)
    # Found from the rows just written (a join), not from a list of a thousand ids sent back to the database.
    concerned = MotPupil.objects.filter(mot=mot).values("pupil_id")
    guardian_ids = set(access.legal_guardians(concerned).values_list("relative_id", flat=True))
    publish(
        NEW_MOT,
        recipients=guardian_ids,
        school=mot.school,
        actor=author,
        data={"author": author.full_name, "title": mot.title, "asks": asks},
        url=reverse("liaison:mot", args=[mot.pk]),
    )
    return mot


def _store_files(mot: Mot, author: Person, uploads: list[UploadedFile[bytes]]) -> None:
    """Each file through cartable.files (in quarantine until scanned, served once clean)."""
    if uploads:
        MotAttachment.objects.bulk_create(
            MotAttachment(
                mot=mot,
                stored=files_actions.store_upload(upload, owner=author, school_id=mot.school_id),
                name=(upload.name or "fichier")[:200],
            )
            for upload in uploads
        )


@transaction.atomic
def edit_mot(user: Any, mot: Mot, data: MotInput) -> Mot:
    """Its author corrects a mot (text, request, deadline, files) as long as no family has signed or
    replied: a signature says « lu et pris connaissance » of one text, which must not change under it —
    after that, a correction is a new mot, as in the paper carnet. The families it is addressed to stay
    those it was sent to. The page marks it « modifié le … »."""
    mot = access.editable_mot_or_404(user, mot.pk)
    Mot.objects.select_for_update().filter(pk=mot.pk).first()  # one edit at a time
    if not access.can_edit(user, mot):
        raise Refused(str(EDIT_REFUSED))
    title, body = data.title.strip(), data.body.strip()
    if not title:
        raise Refused(_("Donnez un titre au mot."), "title")
    if not body:
        raise Refused(_("Le mot est vide."), "body")
    choices = _check_request(data)
    if data.deadline is not None and data.deadline < timezone.localdate() and data.deadline != mot.deadline:
        raise Refused(_("La date limite est déjà passée."), "deadline")
    asks = data.request != Request.NONE
    mot.title = title[:200]
    mot.body = body
    mot.request = data.request
    mot.question = data.question.strip()[:300] if data.request == Request.REPLY else ""
    mot.choices = choices
    mot.allow_comment = data.allow_comment and data.request == Request.REPLY
    mot.both_guardians = data.both_guardians and asks
    mot.deadline = data.deadline if asks else None
    mot.edited_at = timezone.now()
    mot.save()
    removed = list(mot.attachments.filter(pk__in=data.remove_attachments))
    stored_ids = [a.stored_id for a in removed]
    mot.attachments.filter(pk__in=[a.pk for a in removed]).delete()
    if stored_ids:
        transaction.on_commit(lambda: files_actions.release(stored_ids))
    _store_files(mot, mot.author, data.files)
    # The « mots à signer » widget shows the title and the deadline.
    versions.bump_pupils(mot.pupils.values_list("pupil_id", flat=True))
    return mot


@transaction.atomic
def sign(user: Any, mot: Mot, pupil_id: int, choice: str = "", comment: str = "") -> Signature:
    """A legal guardian signs (or replies) for one of their children the mot concerns. Refused for anyone
    else's child, a choice the slip does not offer, a mot that asks nothing, and after the deadline; a reply
    may be changed by its guardian until the deadline."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None or pupil_id not in viewer.child_ids:
        raise Refused(_("Vous ne signez que pour vos enfants."))
    # The row lock edit_mot takes: a correction being saved is finished before anyone signs, and the
    # deadline and request are read as they are now.
    mot = Mot.objects.select_for_update().get(pk=mot.pk)
    if not MotPupil.objects.filter(mot=mot, pupil_id=pupil_id).exists():
        raise Refused(_("Ce mot ne concerne pas cet enfant."))
    if not mot.asks:
        raise Refused(_("Ce mot ne demande ni signature ni réponse."))
    if not mot.is_open():
        raise Refused(_("La date limite est passée : le mot ne peut plus être signé ici."))
    choice = choice.strip()
    if mot.is_reply and choice not in (mot.choices or []):
        raise Refused(_("Choisissez une des réponses proposées."), "choice")
    if not mot.is_reply:
        choice = ""
    comment = comment.strip()[:2000] if mot.allow_comment else ""
    signatures = list(Signature.objects.select_for_update().filter(mot=mot, pupil_id=pupil_id))
    mine = next((s for s in signatures if s.guardian_id == viewer.person_id), None)
    others = [s for s in signatures if s.guardian_id != viewer.person_id]
    if mine is not None:
        if not mot.is_reply:
            return mine  # signed already: signing twice changes nothing
        mine.choice, mine.comment, mine.signed_at = choice, comment, timezone.now()
        mine.save(update_fields=["choice", "comment", "signed_at"])
        versions.bump_pupils([pupil_id])
        return mine
    if others and not mot.both_guardians:
        raise Refused(
            _("%(name)s a déjà répondu pour cet enfant.") % {"name": others[0].guardian.full_name}
            if mot.is_reply
            else _("%(name)s a déjà signé pour cet enfant.") % {"name": others[0].guardian.full_name}
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                mot=mot,
                school_id=mot.school_id,
                pupil_id=pupil_id,
                guardian_id=viewer.person_id,
                choice=choice,
                comment=comment,
            )
    except IntegrityError:  # the same guardian, twice at once
        return Signature.objects.get(mot=mot, pupil_id=pupil_id, guardian_id=viewer.person_id)
    versions.bump_pupils([pupil_id])
    return signature


@transaction.atomic
def remind(user: Any, mot: Mot) -> int:
    """Tell again, on their timeline and by email, the guardians who have not signed yet (only them).
    Returns how many were reminded."""
    if not access.manages(user, mot):
        raise Refused(_("Seul l'auteur du mot, la direction et la vie scolaire relancent les familles."))
    if not mot.asks:
        raise Refused(_("Ce mot ne demande ni signature ni réponse."))
    if not mot.is_open():
        raise Refused(_("La date limite est passée."))
    pending = queries.table(mot).pending_guardian_ids()
    if not pending:
        raise Refused(_("Toutes les familles ont signé : personne à relancer."))
    actor = _person(user, _("Ce compte n'a aucun profil dans l'annuaire."))
    publish(
        REMINDER,
        recipients=pending,
        school=mot.school,
        actor=actor,
        data={
            "title": mot.title,
            "deadline": mot.deadline.isoformat() if mot.deadline else "",
            "reply": mot.is_reply,
        },
        url=reverse("liaison:mot", args=[mot.pk]),
    )
    Mot.objects.filter(pk=mot.pk).update(reminded_at=timezone.now())
    return len(pending)


@transaction.atomic
def write_family_mot(user: Any, pupil_id: int, teacher_id: int, title: str, body: str) -> FamilyMot:
    """A legal guardian writes to a teacher of their child's class, within the school's communication
    rules."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None or pupil_id not in viewer.child_ids:
        raise Refused(_("Vous n'écrivez que pour vos enfants."), "pupil")
    teacher = access.teachers_of_child(pupil_id).filter(pk=teacher_id).first()
    if teacher is None:
        raise Refused(_("Choisissez un enseignant de la classe de votre enfant."), "teacher")
    verdict = communication.can_write(user, teacher.pk)
    if not verdict.allowed:
        raise Refused(verdict.reason, "teacher")
    title, body = title.strip(), body.strip()
    if not title:
        raise Refused(_("Donnez un objet au mot."), "title")
    if not body:
        raise Refused(_("Le mot est vide."), "body")
    school_id = (
        current_enrolments()
        .filter(student_id=pupil_id, group__teaching_assignments__teacher_id=teacher.pk)
        .values_list("group__school_id", flat=True)
        .first()
    )
    if school_id is None:  # teachers_of_child found them through this very enrolment
        raise Refused(_("Choisissez un enseignant de la classe de votre enfant."), "teacher")
    author = Person.objects.get(pk=viewer.person_id)
    found = FamilyMot.objects.create(
        school_id=school_id, author=author, pupil_id=pupil_id, teacher=teacher, title=title[:200], body=body
    )
    publish(
        FAMILY_MOT,
        recipients=[teacher.pk],
        school=found.school,
        actor=author,
        data={"author": author.full_name, "title": found.title},
        url=reverse("liaison:family_mot", args=[found.pk]),
    )
    return found


@transaction.atomic
def acknowledge(user: Any, found: FamilyMot) -> bool:
    """The teacher it was written to has read it; the family is told. False when it already was."""
    viewer = policy.viewer_for(user)
    if found.teacher_id != viewer.person_id:
        raise Refused(_("Seul l'enseignant à qui le mot est écrit en accuse réception."))
    updated = FamilyMot.objects.filter(pk=found.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if updated:
        publish(
            ACKNOWLEDGED,
            recipients=[found.author_id],
            school=found.school,
            actor=found.teacher,
            data={"teacher": found.teacher.full_name, "title": found.title},
            url=reverse("liaison:family_mot", args=[found.pk]),
        )
    return bool(updated)
