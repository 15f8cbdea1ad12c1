"""Every write of the messaging (house rule 1). Views call these; each checks again what it needs.

Sending asks the communication rules (cartable.communication.rules) about every recipient, in one bulk check,
and stores one message with one row per recipient, written with one bulk insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.access import policy
from cartable.accounts import actions as accounts
from cartable.communication import rules as communication
from cartable.console import actions as console
from cartable.directory.models import Function, Membership, Person
from cartable.files import actions as files_actions
from cartable.lib.db import insert_one_row_per_id
from cartable.lib.errors import Refused
from cartable.lib.html import plain_text, sanitize
from cartable.messaging import access
from cartable.messaging.models import Folder, Message, MessageAttachment, Recipient, Report, SenderFolder
from cartable.messaging.text import folded, to_html
from cartable.notifications.actions import publish, withdraw

NEW_MESSAGE = "messaging.new_message"
REPORTED = "messaging.reported"
# Up to this many people chosen one by one are named in the message's "To"; beyond, they are counted.
NAMED_RECIPIENTS = 5


def messages_per_hour_pupil() -> int:
    return settings.MESSAGES_PER_HOUR_PUPIL


def recipients_max_pupil() -> int:
    return settings.MESSAGES_RECIPIENTS_MAX_PUPIL


@dataclass
class Draft:
    """What the composer holds: chosen people (ids), chosen groups (codes), subject, body, new files."""

    people: Sequence[int] = ()
    groups: Sequence[str] = ()
    subject: str = ""
    body: str = ""
    files: Sequence[UploadedFile[bytes]] = field(default_factory=list)
    reply_to: Message | None = None
    forward_of: Message | None = None


def _sender(user: Any) -> Person:
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        raise PermissionDenied
    return Person.objects.get(pk=person_id)


def resolve_recipients(user: Any, draft: Draft) -> tuple[set[int], str]:
    """The ids of everyone the message goes to and how it was addressed, or Refused when any chosen person
    or group is out of the sender's reach (a forged form): nothing is sent then, and nothing is lost."""
    me = policy.viewer_for(user).person_id
    people = {int(p) for p in draft.people}
    groups = set(draft.groups)
    if not people and not groups:
        raise Refused(_("Choisissez au moins un destinataire."), "to")
    allowed = communication.writable_among(user, people)
    if people - allowed:
        raise Refused(
            _("Vous ne pouvez pas écrire à certaines des personnes choisies. Rien n’a été envoyé."), "to"
        )
    audiences = access.audiences_by_code(user, groups)
    if groups - set(audiences):
        raise Refused(
            _("Vous ne pouvez pas écrire à certains des groupes choisis. Rien n’a été envoyé."), "to"
        )
    recipient_ids = set(people)
    for audience in audiences.values():
        recipient_ids |= audience.person_ids
    recipient_ids.discard(me)
    if not recipient_ids:
        raise Refused(_("Ces groupes ne comptent personne à qui vous pouvez écrire."), "to")
    labels = [str(a.label) for a in audiences.values()]
    if 0 < len(people) <= NAMED_RECIPIENTS:
        labels += [
            p.full_name for p in Person.objects.filter(pk__in=people).order_by("last_name", "first_name")
        ]
    elif people:
        labels.append(
            ngettext("%(count)s personne", "%(count)s personnes", len(people)) % {"count": len(people)}
        )
    return recipient_ids, ", ".join(labels)[:300]


def _check_may_send(user: Any, recipient_count: int) -> None:
    """Inside the sending transaction: the hourly count holds only if the message is inserted in it too."""
    verdict = communication.may_send(user)
    if not verdict.allowed:
        raise Refused(
            _("%(reason)s Votre message n’a pas été envoyé : vous pouvez l’enregistrer comme brouillon.")
            % {"reason": verdict.reason}
        )
    if not policy.is_pupil(user):
        return
    most = recipients_max_pupil()
    if recipient_count > most:
        raise Refused(
            _("Un élève peut écrire à %(most)s personnes au plus par message (%(count)s choisies).")
            % {"most": most, "count": recipient_count},
            "to",
        )
    per_hour = messages_per_hour_pupil()
    sender_id = access.pid(user)
    # Count and send as one: the pupil's row stays locked until the sending transaction commits, so sends
    # at the same moment (a hijacked account scripting them) wait for each other and each counts the ones
    # before it. (SQLite ignores the lock: it serves the one-machine demo, not a school.)
    Person.objects.select_for_update().filter(pk=sender_id).values_list("pk").first()
    since = timezone.now() - timedelta(hours=1)
    sent = Message.objects.filter(sender_id=sender_id, sent_at__gte=since).count()
    if sent >= per_hour:
        raise Refused(
            _(
                "Vous avez déjà envoyé %(count)s messages depuis une heure, le maximum pour un élève. "
                "Votre message est gardé : réessayez plus tard ou enregistrez-le comme brouillon."
            )
            % {"count": sent}
        )


def _school_of(sender: Person, recipient_ids: Iterable[int]) -> int | None:
    """The school the message belongs to: the sender's school shared with its recipients (a family with
    children in two schools writes in one of them)."""
    mine = list(Membership.objects.filter(person=sender).values_list("school_id", flat=True).distinct())
    if len(mine) <= 1:
        return mine[0] if mine else None
    sample = sorted(recipient_ids)[:50]
    shared = (
        Membership.objects.filter(person_id__in=sample, school_id__in=mine)
        .values_list("school_id", flat=True)
        .first()
    )
    return shared or mine[0]


def _search_text(subject: str, body: str, sender: Person) -> str:
    return folded(f"{subject} {plain_text(body)} {sender.full_name}")


def _attach(
    message: Message, files: Sequence[UploadedFile[bytes]], forward_of: Message | None = None
) -> None:
    """Each file goes through cartable.files (stored in quarantine, scanned after commit); a forward joins the
    original's stored files again, whatever their state: an infected one stays unserved everywhere."""
    # A draft has no school yet: the sender's own.
    school_id = message.school_id or (_school_of(message.sender, []) if files else None)
    rows = [
        MessageAttachment(
            message=message,
            stored=files_actions.store_upload(f, owner=message.sender, school_id=school_id),
            name=(f.name or "fichier")[:200],
        )
        for f in files
    ]
    if forward_of is not None:
        rows += [
            MessageAttachment(message=message, stored_id=a.stored_id, name=a.name)
            for a in forward_of.attachments.all()
        ]
    if rows:
        MessageAttachment.objects.bulk_create(rows)
        message.has_attachments = True
        message.save(update_fields=["has_attachments"])


def _thread_of(reply_to: Message | None) -> Message | None:
    if reply_to is None:
        return None
    return Message(pk=reply_to.thread_root_id)


@transaction.atomic
def save_draft(user: Any, draft: Draft, existing: Message | None = None) -> Message:
    """Keep what the sender wrote, recipients included, to send it later (allowed even while sending is
    suspended: nothing is lost)."""
    sender = _sender(user)
    if existing is not None and (existing.sender_id != sender.pk or not existing.is_draft):
        raise PermissionDenied
    body = sanitize(draft.body)
    message = existing or Message(sender=sender)
    message.subject = draft.subject.strip()[:200] or _("(sans objet)")
    message.body = body
    message.search_text = _search_text(message.subject, body, sender)
    message.draft_to = {"people": [int(p) for p in draft.people], "groups": list(draft.groups)}
    if draft.reply_to is not None:
        message.reply_to = draft.reply_to
        message.thread = _thread_of(draft.reply_to)
    message.save()
    _attach(message, draft.files, draft.forward_of)
    return message


@transaction.atomic
def send_message(user: Any, draft: Draft, existing: Message | None = None) -> Message:
    """Send to the chosen people and groups: one message, one row per recipient (one bulk insert), an event
    on the recipients' timeline. Refused (nothing written) when a recipient is out of reach, sending is
    suspended, or a pupil's limit is reached."""
    sender = _sender(user)
    if existing is not None and (existing.sender_id != sender.pk or not existing.is_draft):
        raise PermissionDenied
    subject = draft.subject.strip()
    if not subject:
        raise Refused(_("Donnez un objet à votre message."), "subject")
    body = sanitize(to_html(draft.body))
    if not plain_text(body) and not draft.files and draft.forward_of is None:
        raise Refused(_("Votre message est vide."), "body")
    recipient_ids, audience = resolve_recipients(user, draft)
    _check_may_send(user, len(recipient_ids))
    now = timezone.now()
    message = existing or Message(sender=sender)
    message.subject = subject[:200]
    message.body = body
    message.search_text = _search_text(subject, body, sender)
    message.school_id = _school_of(sender, recipient_ids)
    message.audience = audience
    message.to_groups = bool(draft.groups)
    message.draft_to = {}
    message.sent_at = now
    message.recipient_count = len(recipient_ids)
    if draft.reply_to is not None:
        message.reply_to = draft.reply_to
        message.thread = _thread_of(draft.reply_to)
    message.save()
    _attach(message, draft.files, draft.forward_of)
    _insert_recipients(message, sorted(recipient_ids), now)
    _publish(message, sender, recipient_ids)
    access.forget_summaries(recipient_ids)
    return message


def _insert_recipients(message: Message, person_ids: list[int], now: Any) -> None:
    insert_one_row_per_id(
        Recipient, "person_id", person_ids, {"message_id": message.pk, "folder": Folder.INBOX, "sent_at": now}
    )


def _publish(message: Message, sender: Person, recipient_ids: set[int]) -> None:

    publish(
        NEW_MESSAGE,
        recipients=recipient_ids,
        school=message.school,
        actor=sender,
        data={"sender": sender.full_name, "subject": message.subject},
        url=reverse("messaging:message", args=[message.pk]),
    )


def mark_read(user: Any, messages: Iterable[Message]) -> int:
    """My unread copies of these messages become read (opening a conversation reads all of it)."""
    ids = [m.pk for m in messages]
    if not ids:
        return 0
    person_id = access.pid(user)
    changed = Recipient.objects.filter(message_id__in=ids, person_id=person_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        access.forget_summaries([person_id])
    return changed


def mark_unread(user: Any, message: Message) -> None:
    person_id = access.pid(user)
    Recipient.objects.filter(message=message, person_id=person_id).update(read_at=None)
    access.forget_summaries([person_id])


def _move(
    user: Any, message: Message, *, as_recipient: str, as_sender: str, sender_from: Iterable[str]
) -> None:
    person_id = access.pid(user)
    moved = Recipient.objects.filter(message=message, person_id=person_id).exclude(folder=Folder.DELETED)
    if moved.update(folder=as_recipient):
        access.forget_summaries([person_id])
    if message.sender_id == person_id and message.sender_folder in sender_from:
        message.sender_folder = as_sender
        message.save(update_fields=["sender_folder"])


def move_to_trash(user: Any, message: Message) -> None:
    _move(
        user,
        message,
        as_recipient=Folder.TRASH,
        as_sender=SenderFolder.TRASH,
        sender_from=[SenderFolder.SENT],
    )


def restore(user: Any, message: Message) -> None:
    _move(
        user,
        message,
        as_recipient=Folder.INBOX,
        as_sender=SenderFolder.SENT,
        sender_from=[SenderFolder.TRASH],
    )


def delete_for_me(user: Any, message: Message) -> None:
    """Gone from my mailbox for good (the other people keep their copy); a draft is deleted outright."""
    if message.is_draft and message.sender_id == policy.viewer_for(user).person_id:
        message.delete()
        return
    _move(
        user,
        message,
        as_recipient=Folder.DELETED,
        as_sender=SenderFolder.DELETED,
        sender_from=[SenderFolder.SENT, SenderFolder.TRASH],
    )


@transaction.atomic
def recall(user: Any, message: Message) -> None:
    """Take back a message nobody has read yet: it disappears from every recipient's mailbox."""
    # Lock the message so that a recipient opening it now waits and then finds it gone, or it is read first.
    Message.objects.select_for_update().filter(pk=message.pk).first()
    if not access.can_recall(user, message):
        raise Refused(_("Ce message a déjà été lu : il ne peut plus être rappelé."))
    message.recalled_at = timezone.now()
    message.save(update_fields=["recalled_at"])
    recipients = Recipient.objects.filter(message=message)
    access.forget_summaries(list(recipients.values_list("person_id", flat=True)))
    recipients.update(folder=Folder.DELETED)
    # Nor is it in their timelines any more, nor in an email still to come.

    if message.sent_at is not None:
        withdraw(NEW_MESSAGE, reverse("messaging:message", args=[message.pk]), since=message.sent_at)


@transaction.atomic
def report(user: Any, message: Message, reason: str) -> Report:
    """A recipient tells the staff of the message's school about it; reporting twice changes nothing."""
    if not access.can_report(user, message):
        raise PermissionDenied
    found, created = Report.objects.get_or_create(
        message=message,
        reporter_id=policy.viewer_for(user).person_id,
        defaults={"school_id": message.school_id, "reason": reason.strip()[:2000]},
    )
    if created and message.school_id is not None:
        _tell_the_staff(message, message.school_id)
    return found


def _tell_the_staff(message: Message, school_id: int) -> None:
    """Direction and vie scolaire of the school hear of a report on their timeline (and by email), at once:
    a threat must not wait for someone to open the reports page."""

    handlers = [
        person_id
        for person_id, functions in Membership.objects.filter(school_id=school_id).values_list(
            "person_id", "functions"
        )
        if set(functions or ()) & {Function.DIRECTION, Function.VIE_SCOLAIRE}
    ]
    publish(
        REPORTED,
        recipients=handlers,
        school=message.school,
        data={"sender": message.sender.full_name, "subject": message.subject},
        url=reverse("messaging:reports"),
    )


def _require_handler(user: Any, found: Report) -> None:
    if not access.handles_reports(user, found.school_id):
        raise PermissionDenied


@transaction.atomic
def block_sender(user: Any, found: Report) -> None:
    _require_handler(user, found)
    if not access.may_block(user, found):
        raise PermissionDenied
    target = found.message.sender.user
    if found.school is not None and policy.admin_of(user, found.school):
        console.block_account(user, found.school, target)
    else:
        accounts.block_user(target)
    others = Report.objects.filter(message__sender=found.message.sender, outcome=Report.Outcome.OPEN)
    others = others.filter(school=found.school) if found.school is not None else others.filter(pk=found.pk)
    _close(user, others, Report.Outcome.BLOCKED)
    found.refresh_from_db()


@transaction.atomic
def dismiss_report(user: Any, found: Report) -> None:
    _require_handler(user, found)
    _close(user, Report.objects.filter(pk=found.pk), Report.Outcome.DISMISSED)
    found.refresh_from_db()


def _close(user: Any, reports: Any, outcome: str) -> None:
    reports.update(
        outcome=outcome, handled_at=timezone.now(), handled_by_id=policy.viewer_for(user).person_id
    )
