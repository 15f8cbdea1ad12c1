"""The timetable: a school's time grid, weekly recurring courses, their exceptions, school holidays and the
secret addresses of the iCalendar feeds.

A course is a weekly pattern (weekday, start, end, week A/B or every week, validity dates); what actually
happens on a given day is computed by cartable.timetable.queries from the pattern, the school holidays of the
school's zone and the exceptions recorded for that day (cancelled, changed, moved, extra session).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Person, School, SchoolYear, Subject


class Zone(models.TextChoices):
    A = "A", _("Zone A")
    B = "B", _("Zone B")
    C = "C", _("Zone C")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Lundi")
    TUESDAY = 1, _("Mardi")
    WEDNESDAY = 2, _("Mercredi")
    THURSDAY = 3, _("Jeudi")
    FRIDAY = 4, _("Vendredi")
    SATURDAY = 5, _("Samedi")


class Weeks(models.TextChoices):
    EVERY = "every", _("Toutes les semaines")
    A = "A", _("Semaine A")
    B = "B", _("Semaine B")


class TimetableSettings(models.Model):
    """Per school: the holiday zone and the Monday of a week A (the alternation is counted from it, holiday
    weeks not counted). Without a row, the zone comes from the school's academy and week A is the first week
    of the school year."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="timetable_settings")
    zone = models.CharField(_("zone de vacances"), max_length=1, choices=Zone.choices, blank=True)
    week_a_monday = models.DateField(_("lundi d'une semaine A"), null=True, blank=True)

    class Meta:
        verbose_name = _("réglages de l'emploi du temps")
        verbose_name_plural = _("réglages des emplois du temps")

    def __str__(self) -> str:
        return f"{self.school} — {self.zone or '-'}"


class TimeSlot(models.Model):
    """One slot of the school's time grid (M1, M2… S4) on one weekday."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="time_slots")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    label = models.CharField(_("nom"), max_length=16, blank=True)
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))

    class Meta:
        ordering = ["school", "weekday", "start"]
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        constraints = [
            models.UniqueConstraint(fields=["school", "weekday", "start"], name="unique_time_slot")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("nom"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="unique_room_name")]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A weekly recurring course of a class or of groups."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="courses")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="courses")
    subject = models.ForeignKey(Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Shown when there is no subject (e.g. "Vie de classe", "Aide aux devoirs").
    label = models.CharField(_("intitulé"), max_length=120, blank=True)
    groups = models.ManyToManyField(Group, related_name="courses", verbose_name=_("classes et groupes"))
    teachers = models.ManyToManyField(
        Person, related_name="courses", blank=True, verbose_name=_("enseignants")
    )
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))
    weeks = models.CharField(_("semaines"), max_length=5, choices=Weeks.choices, default=Weeks.EVERY)
    valid_from = models.DateField(_("à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        indexes = [models.Index(fields=["school", "weekday"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="course_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.get_weekday_display()} {self.start:%H:%M}"

    @property
    def title(self) -> str:
        if self.subject_id is not None and self.subject is not None:
            return self.subject.name
        return self.label


class ExceptionKind(models.TextChoices):
    CANCELLED = "cancelled", _("Cours annulé")
    CHANGED = "changed", _("Changement de salle ou d'enseignant")
    MOVED = "moved", _("Cours déplacé")
    EXTRA = "extra", _("Séance supplémentaire")


class CourseException(models.Model):
    """What differs from the weekly pattern on one date.

    `date` is the date of the usual session (or, for an extra session, the day of that session). A moved
    course happens on `new_date` from `start` to `end` instead; an extra session happens on `date` from
    `start` to `end`. `room` and `replacement` override the course's room and teachers for that session."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=ExceptionKind.choices)
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("salle")
    )
    replacement = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacements",
        verbose_name=_("remplaçant"),
    )
    new_date = models.DateField(_("nouvelle date"), null=True, blank=True)
    start = models.TimeField(_("début"), null=True, blank=True)
    end = models.TimeField(_("fin"), null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("modification ponctuelle")
        verbose_name_plural = _("modifications ponctuelles")
        indexes = [models.Index(fields=["date"]), models.Index(fields=["new_date"])]
        constraints = [
            # One change per usual session; extra sessions may be several on one day.
            models.UniqueConstraint(
                fields=["course", "date"],
                condition=~models.Q(kind="extra"),
                name="one_exception_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} — {self.date} — {self.get_kind_display()}"


class SchoolHoliday(models.Model):
    """Days without classes: school holidays of a zone, or of every zone when `zone` is blank (Toussaint,
    Noël, public holidays, the Ascension bridge, summer). `start` and `end` are the first and last days
    off."""

    zone = models.CharField(_("zone"), max_length=1, choices=Zone.choices, blank=True)
    name = models.CharField(_("nom"), max_length=120)
    start = models.DateField(_("premier jour"))
    end = models.DateField(_("dernier jour"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("vacances scolaires")
        verbose_name_plural = _("vacances scolaires")
        indexes = [models.Index(fields=["end", "start"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.zone or 'A, B, C'})"


class CalendarToken(models.Model):
    """A secret address serving one user's timetable as iCalendar. Only the SHA-256 of the token is kept: the
    address is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("nom"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("adresse d'agenda")
        verbose_name_plural = _("adresses d'agenda")

    def __str__(self) -> str:
        return self.label or str(self.pk)
