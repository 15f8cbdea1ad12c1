from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group, Membership, Person, Profile, School, Subject
from cartable.lib.widgets import DateField, IdsChoiceField, TimeInput
from cartable.timetable.importer import HEADER
from cartable.timetable.models import ExceptionKind, Room, TimeSlot, Weekday, Weeks, Zone


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


class PeopleChoiceField(IdsChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TimeSlot) -> str:
        name = f"{obj.label} — " if obj.label else ""
        return f"{obj.get_weekday_display()} {name}{obj.start:%H:%M}–{obj.end:%H:%M}"


class RoomInput(forms.TextInput):
    """Free text with the school's rooms offered by the browser as suggestions (a datalist, no script): a room
    of the list is picked in a keystroke or two, a new one is simply typed and created when the form is
    saved."""

    template_name = "timetable/room_input.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.rooms: Iterable[str] = ()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}_rooms"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["rooms"] = self.rooms
        return context


def room_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=60,
        required=False,
        widget=RoomInput(),
        help_text=_("Une salle de la liste de l'établissement, ou le nom d'une nouvelle salle."),
    )


def offer_rooms(field: forms.Field, school: School) -> None:
    # Evaluated only when the form is drawn: a valid form saved and redirected costs no query for it.
    field.widget.rooms = Room.objects.filter(school=school).order_by("name").values_list("name", flat=True)  # type: ignore[attr-defined]


def teachers_of(school: School):
    return Person.objects.filter(
        pk__in=Membership.objects.filter(school=school, profile=Profile.TEACHER).values("person_id"),
        left_at__isnull=True,
    ).order_by("last_name", "first_name")


class CourseForm(forms.Form):
    groups = IdsChoiceField(
        label=_("Classes et groupes"),
        queryset=Group.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.ModelChoiceField(label=_("Matière"), queryset=Subject.objects.none(), required=False)
    label = forms.CharField(
        label=_("Intitulé"),
        max_length=120,
        required=False,
        help_text=_("Si le cours n'a pas de matière, par exemple « Vie de classe »."),
    )
    teachers = PeopleChoiceField(
        label=_("Enseignants"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    room = room_field(_("Salle"))
    slot = SlotChoiceField(
        label=_("Créneau"),
        queryset=TimeSlot.objects.none(),
        required=False,
        help_text=_("Un créneau de la grille de l'établissement, ou bien le jour et les heures ci-dessous."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Jour"), choices=[("", "—"), *Weekday.choices], coerce=int, required=False, empty_value=None
    )
    start = forms.TimeField(label=_("Début"), widget=TimeInput(), required=False)
    end = forms.TimeField(label=_("Fin"), widget=TimeInput(), required=False)
    weeks = forms.ChoiceField(label=_("Semaines"), choices=Weeks.choices, initial=Weeks.EVERY)
    valid_from = DateField(label=_("À partir du"), required=False)
    valid_until = DateField(label=_("Jusqu'au"), required=False)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = Group.objects.filter(school=school, year__is_current=True).order_by(  # type: ignore[attr-defined]
            "kind", "name"
        )
        self.fields["subject"].queryset = Subject.objects.filter(school=school)  # type: ignore[attr-defined]
        self.fields["teachers"].queryset = teachers_of(school)  # type: ignore[attr-defined]
        self.fields["slot"].queryset = TimeSlot.objects.filter(school=school)  # type: ignore[attr-defined]
        offer_rooms(self.fields["room"], school)

    def clean(self):
        data = super().clean() or {}
        slot = data.get("slot")
        if slot is not None:
            data["weekday"], data["start"], data["end"] = slot.weekday, slot.start, slot.end
        else:
            for name in ("weekday", "start", "end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Choisissez un créneau, ou indiquez le jour et les heures."))
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("Le cours doit finir après avoir commencé."))
        if not data.get("subject") and not (data.get("label") or "").strip():
            self.add_error("label", _("Indiquez une matière ou un intitulé."))
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("La fin de validité précède son début."))
        return data


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Modification"), choices=ExceptionKind.choices, widget=forms.RadioSelect)
    date = DateField(label=_("Date de la séance"))
    reason = forms.CharField(label=_("Motif"), max_length=200, required=False)
    room = room_field(_("Nouvelle salle"))
    replacement = PersonChoiceField(label=_("Remplaçant"), queryset=Person.objects.none(), required=False)
    new_date = DateField(label=_("Nouvelle date (cours déplacé)"), required=False)
    start = forms.TimeField(
        label=_("Début (cours déplacé ou séance supplémentaire)"), required=False, widget=TimeInput()
    )
    end = forms.TimeField(
        label=_("Fin (cours déplacé ou séance supplémentaire)"), required=False, widget=TimeInput()
    )
    # Sent by the second button shown with the conflicts found ("Enregistrer malgré les conflits").
    confirm_conflicts = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = teachers_of(school)  # type: ignore[attr-defined]
        offer_rooms(self.fields["room"], school)

    def clean(self):
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in (ExceptionKind.MOVED, ExceptionKind.EXTRA):
            for name in ("start", "end"):
                if not data.get(name):
                    self.add_error(name, _("Indiquez l'heure."))
            if data.get("start") and data.get("end") and data["end"] <= data["start"]:
                self.add_error("end", _("La séance doit finir après avoir commencé."))
        if kind == ExceptionKind.MOVED and not data.get("new_date"):
            self.add_error("new_date", _("Indiquez la nouvelle date."))
        if (
            kind == ExceptionKind.CHANGED
            and not (data.get("room") or "").strip()
            and not data.get("replacement")
        ):
            self.add_error("room", _("Indiquez la nouvelle salle ou le remplaçant."))
        return data


class AbsenceForm(forms.Form):
    CANCEL = "cancel"
    REPLACE = "replace"

    teacher = PersonChoiceField(label=_("Enseignant absent"), queryset=Person.objects.none())
    start = DateField(label=_("Du"), initial=timezone.localdate)
    end = DateField(label=_("Au (inclus)"), initial=timezone.localdate)
    what = forms.ChoiceField(
        label=_("Ses cours"),
        choices=[(CANCEL, _("Annuler ses cours")), (REPLACE, _("Les confier à un remplaçant"))],
        widget=forms.RadioSelect,
        initial=CANCEL,
    )
    replacement = PersonChoiceField(label=_("Remplaçant"), queryset=Person.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Motif"),
        max_length=200,
        required=False,
        help_text=_("Lu par les élèves et les familles : pas de raison personnelle ou médicale."),
    )
    confirm_conflicts = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers_of(school)  # type: ignore[attr-defined]
        self.fields["replacement"].queryset = teachers_of(school)  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("La fin de l'absence précède son début."))
        if data.get("what") == self.REPLACE:
            if not data.get("replacement"):
                self.add_error("replacement", _("Choisissez le remplaçant."))
            elif data.get("teacher") and data["replacement"].pk == data["teacher"].pk:
                self.add_error("replacement", _("Le remplaçant doit être un autre enseignant que l'absent."))
        else:
            data["replacement"] = None
        return data


class EndCourseForm(forms.Form):
    last_day = DateField(label=_("Dernier jour du cours"), initial=timezone.localdate)


class SettingsForm(forms.Form):
    zone = forms.ChoiceField(
        label=_("Zone de vacances"), choices=[("", _("Selon l'académie")), *Zone.choices], required=False
    )
    week_a_monday = DateField(
        label=_("Une semaine A"),
        required=False,
        help_text=_("Un jour d'une semaine A ; les semaines de vacances ne comptent pas dans l'alternance."),
    )


class ImportForm(forms.Form):
    # The page shows the header line the file must start with.
    header = HEADER

    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("Une ligne d'en-tête, puis une ligne par cours."),
    )
    valid_from = DateField(label=_("Valable à partir du"), initial=timezone.localdate)
    replace = forms.BooleanField(
        label=_("Remplacer l'emploi du temps actuel (les cours actuels s'arrêtent la veille)"), required=False
    )


class ConfirmImportForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, max_length=1_000_000)
    valid_from = DateField(widget=forms.HiddenInput)
    replace = forms.BooleanField(widget=forms.HiddenInput, required=False)


class TimeSlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Jour"), choices=Weekday.choices, coerce=int)
    label = forms.CharField(label=_("Nom"), max_length=16, required=False, help_text=_("Par exemple M1, S3."))
    start = forms.TimeField(label=_("Début"), widget=TimeInput())
    end = forms.TimeField(label=_("Fin"), widget=TimeInput())

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("Le créneau doit finir après avoir commencé."))
        return data


class TokenForm(forms.Form):
    label = forms.CharField(
        label=_("Nom de l'adresse"),
        max_length=80,
        required=False,
        help_text=_("Pour la reconnaître, par exemple « Téléphone »."),
    )
