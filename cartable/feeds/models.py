"""What the feeds know that the directory has no field for yet."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Person


class ImageRightsConsent(models.Model):
    """A pupil's image-rights consent ("droit à l'image"), from the ONDE "Autorisations photos" column.

    Photo albums read it before showing a pupil's picture; no row means nobody recorded an answer.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="image_rights_consent")
    granted = models.BooleanField(_("droit à l'image accordé"))
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("autorisation de droit à l'image")
        verbose_name_plural = _("autorisations de droit à l'image")

    def __str__(self) -> str:
        return f"{self.person} — {'oui' if self.granted else 'non'}"
