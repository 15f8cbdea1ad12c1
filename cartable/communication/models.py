"""Communication rules of each school, the kill-switches that stop a profile from sending, and the trace of
who changed them (rule C8).

A school that never edited its rules has no CommunicationRule row: the defaults of
cartable.communication.rules.DEFAULT_RULES apply. Saving the matrix stores every cell, so that a later change
of the defaults never changes what a school chose.

The tables keep the names they had when these models lived in the access app (Meta.db_table): moving the
models moved no row (migrations communication 0001 and access 0002 change Django's state only).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Profile, School


class Audience(models.TextChoices):
    """Whom a rule lets people write to, by profile or function in the school."""

    PUPILS = "pupils", _("Élèves")
    GUARDIANS = "guardians", _("Parents")
    TEACHERS = "teachers", _("Enseignants")
    DIRECTION = "direction", _("Direction")
    VIE_SCOLAIRE = "vie_scolaire", _("Vie scolaire")
    OTHER_STAFF = "other_staff", _("Autres personnels")


class Scope(models.TextChoices):
    """How far a rule reaches, seen from the writer."""

    CLASS = "class", _("Dans la classe")
    SCHOOL = "school", _("Dans l’établissement")
    OTHER_SCHOOLS = "other_schools", _("Dans les autres établissements")


class CommunicationRule(models.Model):
    """One cell of a school's matrix: may people with `profile` in `school` write to `audience` within
    `scope`?"""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    profile = models.CharField(_("profil de l’auteur"), max_length=16, choices=Profile.choices)
    audience = models.CharField(_("destinataires"), max_length=16, choices=Audience.choices)
    scope = models.CharField(_("portée"), max_length=16, choices=Scope.choices)
    allowed = models.BooleanField(_("autorisé"), default=False)

    class Meta:
        db_table = "access_communicationrule"
        verbose_name = _("règle de communication")
        verbose_name_plural = _("règles de communication")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "profile", "audience", "scope"], name="unique_communication_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.profile} → {self.audience} ({self.scope}): {self.allowed}"


class SendingPause(models.Model):
    """A kill-switch: while the row exists, people with `profile` in `school` (every school when `school` is
    empty: set by the platform admin) cannot send anything. Read from the database on every send, never
    cached, so that it stops every server process at its next request."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices)
    since = models.DateTimeField(_("depuis"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        db_table = "access_sendingpause"
        verbose_name = _("coupure de l’envoi de messages")
        verbose_name_plural = _("coupures de l’envoi de messages")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "profile"],
                condition=models.Q(school__isnull=False),
                name="unique_school_sending_pause",
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=models.Q(school__isnull=True),
                name="unique_platform_sending_pause",
            ),
        ]
        indexes = [models.Index(fields=["profile", "school"])]

    def __str__(self) -> str:
        return f"{self.school_id or '*'} {self.profile}"


class CommunicationChange(models.Model):
    """What an admin changed in the communication rules or kill-switches, or a bulk password reset they
    ran, and when (rule C8). Shown on the console pages; an empty school means the whole platform."""

    class Kind(models.TextChoices):
        RULES_SAVED = "rules_saved", _("Règles de communication modifiées")
        RULES_RESET = "rules_reset", _("Règles de communication remises par défaut")
        PAUSED = "paused", _("Envoi de messages coupé")
        RESUMED = "resumed", _("Envoi de messages rétabli")
        PUPILS_RESET = "pupils_reset", _("Mots de passe des élèves réinitialisés")

    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What it was about, in words kept at the time: the profile stopped, the class reset, how many accounts.
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "access_communicationchange"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["school", "-at"])]
        verbose_name = _("changement des règles de communication")
        verbose_name_plural = _("changements des règles de communication")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.school_id or '*'} — {self.at:%Y-%m-%d %H:%M}"
