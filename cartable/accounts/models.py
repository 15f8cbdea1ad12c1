"""Accounts: the login identity behind a directory person, the charter, and login traces."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # Names live on directory.Person; the login is `username` (prenom.nom).
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    language = models.CharField(_("langue"), max_length=8, default="fr")
    blocked_at = models.DateTimeField(_("bloqué le"), null=True, blank=True)
    # Bumped to end every open session of the user at once (block, "log out everywhere", password reset).
    session_generation = models.PositiveIntegerField(default=0)
    # Activation: only a hash of the one-time code is stored; letters are printed when a code is made.
    activation_code_hash = models.CharField(max_length=128, blank=True)
    activation_expires_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)
    # A new address the user typed, used only once they open the link sent to it (accounts.emails); until
    # then `email` (the old address, if any) keeps receiving notifications and password reset links.
    pending_email = models.EmailField(_("nouvelle adresse en attente de confirmation"), blank=True)
    pending_email_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")

    @property
    def is_platform_admin(self) -> bool:
        """The ADMC: administers the whole platform, above schools."""
        return self.is_superuser

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def is_activated(self) -> bool:
        return self.activated_at is not None and self.has_usable_password()

    def activation_code_valid_now(self) -> bool:
        return bool(self.activation_code_hash) and (
            self.activation_expires_at is None or self.activation_expires_at > timezone.now()
        )


class Charter(models.Model):
    """The charte de bonne conduite; each new version must be accepted again (rule C2)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("charte")
        verbose_name_plural = _("chartes")

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class CharterAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="charter_acceptances")
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "charter"], name="unique_charter_acceptance")]

    def __str__(self) -> str:
        return f"{self.user} → {self.charter}"


class LoginEvent(models.Model):
    """A trace of a login attempt or logout, or of a change the owner made to how the account is reached
    (rule C8); kept 12 months at most. The owner sees them in their account's history, the school's admin on
    the person's page."""

    class Kind(models.TextChoices):
        SUCCESS = "success", _("Connexion réussie")
        FAILURE = "failure", _("Échec de connexion")
        THROTTLED = "throttled", _("Tentative bloquée (trop d'essais)")
        BLOCKED = "blocked", _("Connexion refusée : compte bloqué")
        LOGOUT = "logout", _("Déconnexion")
        LOGOUT_ALL = "logout_all", _("Déconnexion de toutes les sessions")
        EMAIL_REQUESTED = "email_requested", _("Nouvelle adresse électronique saisie (à confirmer)")
        EMAIL_CONFIRMED = "email_confirmed", _("Nouvelle adresse électronique confirmée")
        EMAIL_REMOVED = "email_removed", _("Adresse électronique retirée")
        PHONE_CHANGED = "phone_changed", _("Numéro de mobile modifié")
        # Opening a connected application through single sign-on (cartable.sso); `detail` names it.
        APP_LOGIN = "app_login", _("Connexion à une application")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="login_events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # What the event was about, when its kind alone does not say (the application opened).
    detail = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.user or '?'}"
