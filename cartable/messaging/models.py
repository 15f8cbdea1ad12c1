"""Messages between the people of a school: one row per message, one row per recipient.

A message sent to the 2,000 guardians of a collège is one `Message` and 2,000 `Recipient` rows written with
one bulk insert; each recipient's copy is only their state (read or not, in the inbox, the trash or deleted).
The sender's own state (sent, trash, deleted) lives on the message.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person, School
from cartable.files.models import StoredFile


class Folder(models.TextChoices):
    INBOX = "inbox", _("Boîte de réception")
    TRASH = "trash", _("Corbeille")
    DELETED = "deleted", _("Supprimé")


class SenderFolder(models.TextChoices):
    SENT = "sent", _("Envoyés")
    TRASH = "trash", _("Corbeille")
    DELETED = "deleted", _("Supprimé")


class Message(models.Model):
    # Indexed by the composite indexes below, which lead with the sender.
    sender = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sent_messages", db_index=False)
    # The school whose staff handle reports about it; null only for the platform admin, who has none.
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"), blank=True)  # sanitized HTML (cartable.lib.html.sanitize)
    # Lower-case words without accents of the subject, body and sender: "search in my messages".
    search_text = models.TextField(blank=True, editable=False)
    # The first message of the conversation; null on that first message itself.
    thread = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # How the sender addressed it ("Parents d'élèves de 6A"), shown instead of names when it went to groups.
    audience = models.CharField(max_length=300, blank=True)
    to_groups = models.BooleanField(default=False)
    # A draft keeps what the sender chose until it is sent: {"people": [ids], "groups": [codes]}.
    draft_to = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)  # null: a draft
    recalled_at = models.DateTimeField(null=True, blank=True)
    sender_folder = models.CharField(max_length=8, choices=SenderFolder.choices, default=SenderFolder.SENT)
    recipient_count = models.PositiveIntegerField(default=0)
    has_attachments = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # "Sent": the newest first, ties broken by id, read straight from the index whatever the size.
            models.Index(fields=["sender", "sender_folder", "-sent_at", "-id"], name="message_sender_box"),
            models.Index(fields=["sender", "sent_at"], name="message_sender_sent"),
            models.Index(fields=["thread"], name="message_thread"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.sent_at is None

    @property
    def thread_root_id(self) -> int:
        return self.thread_id or self.pk


class Recipient(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    # Indexed by the composite indexes below, which lead with the person: a plain index on the person alone
    # would tempt the planner into reading a whole mailbox to sort it.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="received_messages", db_index=False
    )
    folder = models.CharField(max_length=8, choices=Folder.choices, default=Folder.INBOX)
    read_at = models.DateTimeField(null=True, blank=True)
    # The message's sent_at, copied so that a mailbox page is one index range scan.
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        constraints = [models.UniqueConstraint(fields=["message", "person"], name="unique_message_recipient")]
        indexes = [
            # A mailbox page: the newest first, ties broken by id, read straight from the index (no sort).
            models.Index(fields=["person", "folder", "-sent_at", "-id"], name="recipient_box"),
            models.Index(fields=["person", "folder", "read_at"], name="recipient_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.person_id}"


def attachment_path(instance: object, filename: str) -> str:
    """Where attachments were stored before cartable.files (named by the first migration only)."""
    return timezone.now().strftime("messaging/%Y/%m/") + filename.rsplit("/", 1)[-1]


class MessageAttachment(models.Model):
    """A file joined to a message; a forwarded message joins the same stored file again."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    # Stored, sniffed and scanned by cartable.files; served only once clean.
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="message_attachments")
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    """A recipient told the school's staff about a message (threats, insults, spam)."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("À traiter")
        BLOCKED = "blocked", _("Expéditeur bloqué")
        DISMISSED = "dismissed", _("Classé sans suite")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.TextField(_("raison"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="unique_report")]
        indexes = [models.Index(fields=["school", "outcome", "-created_at"], name="report_school_outcome")]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.outcome})"
