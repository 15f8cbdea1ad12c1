from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import School


class AdminAction(models.Model):
    """What a school admin did to an account, or read of it, and when (rule C8: sensitive actions and
    sensitive reads leave a trace).

    Shown on the person's page in the console, so that another admin can tell who blocked an account or
    handed out a new code. Kept TRACE_RETENTION_DAYS (purge_old_traces), and deleted with the account (C5).
    """

    class Kind(models.TextChoices):
        CREATE = "create", _("Compte créé")
        BLOCK = "block", _("Compte bloqué")
        UNBLOCK = "unblock", _("Compte débloqué")
        NEW_CODE = "new_code", _("Nouveau code d'activation")
        RESET_PASSWORD = "reset_password", _("Compte réinitialisé (mot de passe et sessions)")
        LETTER = "letter", _("Lettre d'activation imprimée (nouveau code)")
        VIEW = "view", _("Fiche consultée")
        VIEW_LOGINS = "view_logins", _("Historique des connexions consulté")
        OBJECTION = "objection", _("Opposition à la conservation des contributions enregistrée")
        OBJECTION_WITHDRAWN = "objection_off", _("Opposition à la conservation des contributions levée")
        EDIT = "edit", _("Fiche modifiée")
        CLASS = "class", _("Classe changée")
        LINK_ADDED = "link_added", _("Lien familial ajouté")
        LINK_REMOVED = "link_removed", _("Lien familial retiré")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_actions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What changed, in the admin's words: the fields corrected, "6A → 5B", the other person of a link.
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target", "-at"])]
        verbose_name = _("action d'administration")
        verbose_name_plural = _("actions d'administration")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.target_id} — {self.at:%Y-%m-%d %H:%M}"
