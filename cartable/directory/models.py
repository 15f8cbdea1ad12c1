"""The directory ("annuaire"): schools, years, classes and groups, people, their profiles and links."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", _("École primaire")
    SECONDARY = "secondary", _("Établissement du second degré")


class School(models.Model):
    uai = models.CharField(
        _("UAI"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{7}[A-Z]$", _("Un UAI est fait de 7 chiffres suivis d'une lettre."))],
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=SchoolKind.choices)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    academy = models.CharField(_("académie"), max_length=120, blank=True)
    parent_authority = models.CharField(_("collectivité de rattachement"), max_length=200, blank=True)
    aaf_jointure = models.CharField(_("identifiant AAF"), max_length=64, blank=True, db_index=True)
    # Rule C6: staff must use a second factor before seeing pupils' data; a school may relax it (e.g. a demo).
    mfa_required_for_staff = models.BooleanField(
        _("double authentification obligatoire pour le personnel"), default=True
    )
    # Pupils may choose the shorter password the CNIL allows behind throttled logins (cartable.accounts.
    # passwords.PUPIL_RULE); off, they keep the adults' rule. On by default: écoles and collèges need it.
    simple_pupil_passwords = models.BooleanField(
        _("mots de passe plus simples pour les élèves"), default=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"


class SchoolYear(models.Model):
    """A national school year, e.g. 2026-2027; exactly one is current."""

    name = models.CharField(_("nom"), max_length=9, unique=True)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    is_current = models.BooleanField(_("année en cours"), default=False)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_school_year"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SchoolYearChange(models.Model):
    """A yearly rollover: which year became current after which, who did it and when (rule C8).

    The last one may be undone until the new year's first feed is imported (cartable.directory.actions.
    undo_school_year); it is then marked undone rather than deleted, so that the history stays whole."""

    year = models.ForeignKey(SchoolYear, on_delete=models.SET_NULL, null=True, related_name="+")
    year_name = models.CharField(_("année commencée"), max_length=9)
    previous = models.ForeignKey(
        SchoolYear, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The rollover created the year: undoing it deletes the year again when nothing refers to it.
    created_year = models.BooleanField(default=False)
    # Started although it begins more than three months ahead.
    forced = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    undone_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("changement d'année scolaire")
        verbose_name_plural = _("changements d'année scolaire")

    def __str__(self) -> str:
        return f"{self.year_name} {self.at:%Y-%m-%d %H:%M}"


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("nom"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("matière")
        verbose_name_plural = _("matières")
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="unique_subject_code")]

    def __str__(self) -> str:
        return self.name


class GroupKind(models.TextChoices):
    CLASS = "class", _("Classe")
    TEACHING = "teaching", _("Groupe d'enseignement")
    MANUAL = "manual", _("Groupe libre")


class Group(models.Model):
    """A class (division) or a group of pupils in one school for one school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=16, choices=GroupKind.choices, default=GroupKind.CLASS)
    level = models.CharField(_("niveau"), max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("classe ou groupe")
        verbose_name_plural = _("classes et groupes")
        constraints = [models.UniqueConstraint(fields=["school", "year", "name"], name="unique_group_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_class(self) -> bool:
        return self.kind == GroupKind.CLASS


class Person(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    first_name = models.CharField(_("prénom"), max_length=120)
    last_name = models.CharField(_("nom"), max_length=120)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    aaf_jointure = models.CharField(_("identifiant AAF"), max_length=64, blank=True, db_index=True)
    ine = models.CharField(_("INE"), max_length=11, blank=True)
    # Account lifecycle: set when the person leaves the feeds; personal data are purged some days later (C5).
    left_at = models.DateTimeField(_("parti le"), null=True, blank=True, db_index=True)
    # At closure the person may object to their contributions being kept (arrêté art. 6).
    keep_contributions = models.BooleanField(_("conserver les contributions"), default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"


class Profile(models.TextChoices):
    STUDENT = "Student", _("Élève")
    RELATIVE = "Relative", _("Parent")
    TEACHER = "Teacher", _("Enseignant")
    PERSONNEL = "Personnel", _("Personnel")
    GUEST = "Guest", _("Invité")


STAFF_PROFILES = (Profile.TEACHER, Profile.PERSONNEL)


class Function(models.TextChoices):
    DIRECTION = "direction", _("Direction")
    VIE_SCOLAIRE = "vie_scolaire", _("Vie scolaire")
    DOCUMENTALIST = "documentalist", _("Documentaliste")
    ADML = "adml", _("Administrateur ENT de l'établissement")
    ADMINISTRATIVE = "administrative", _("Secrétariat")


class Membership(models.Model):
    """A person's profile in one school; a teacher in a collège and a lycée has two."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices)
    # Function codes (Function values); kept as a list because a person may hold several.
    functions = models.JSONField(_("fonctions"), default=list, blank=True)

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        constraints = [
            models.UniqueConstraint(fields=["person", "school", "profile"], name="unique_membership")
        ]
        indexes = [models.Index(fields=["school", "profile"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_profile_display()} — {self.school.uai}"

    def has_function(self, code: str) -> bool:
        return code in self.functions


class Enrolment(models.Model):
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="enrolments")

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [models.UniqueConstraint(fields=["student", "group"], name="unique_enrolment")]

    def __str__(self) -> str:
        return f"{self.student} → {self.group}"


class TeachingAssignment(models.Model):
    teacher = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="teaching_assignments")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="teaching_assignments")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("service d'enseignement")
        verbose_name_plural = _("services d'enseignement")
        constraints = [
            models.UniqueConstraint(fields=["teacher", "group", "subject"], name="unique_teaching_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} → {self.group} ({self.subject or '-'})"


# How a family link reads. AAF feeds give the code of the national nomenclature (ENTElevePersRelEleve);
# the console and the demo give words. A code not listed here is not shown: a bare number tells a family
# nothing.
RELATIONSHIPS = {
    "10": _("mère"),
    "20": _("père"),
    "mère": _("mère"),
    "père": _("père"),
    "grand-mère": _("grand-mère"),
    "grand-père": _("grand-père"),
    "tuteur": _("tuteur"),
    "tutrice": _("tutrice"),
    "belle-mère": _("belle-mère"),
    "beau-père": _("beau-père"),
}


class Guardianship(models.Model):
    """A relative responsible for a pupil; both legal guardians have equal rights."""

    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardianships")
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardians")
    relationship = models.CharField(_("lien"), max_length=40, blank=True)
    legal_guardian = models.BooleanField(_("responsable légal"), default=True)
    financial = models.BooleanField(_("responsable financier"), default=False)
    contact = models.BooleanField(_("personne à contacter"), default=True)

    class Meta:
        verbose_name = _("responsabilité")
        verbose_name_plural = _("responsabilités")
        constraints = [models.UniqueConstraint(fields=["relative", "student"], name="unique_guardianship")]

    def __str__(self) -> str:
        return f"{self.relative} → {self.student}"

    @property
    def relationship_label(self) -> str:
        """The link in the reader's language ("mère", "mother"), as typed when it is not a known word, and
        nothing for an unknown code."""
        raw = self.relationship.strip()
        known = RELATIONSHIPS.get(raw.casefold())
        if known is not None:
            return str(known)
        return "" if raw.isdigit() else raw
