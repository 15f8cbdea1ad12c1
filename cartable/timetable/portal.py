"""The timetable's entries in the portal: the app, today's lessons on the home page, the import in the admin
console, the calendar addresses in the preferences, and the timeline event of a change."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from cartable.access.policy import is_pupil, viewer_for
from cartable.directory import queries as directory_queries
from cartable.directory.models import Profile
from cartable.lib.french import de
from cartable.notifications.kinds import Channel, EventKind, register_kind
from cartable.portal.registry import (
    ConsoleLink,
    PortalApp,
    PreferenceSection,
    SchoolLink,
    SchoolRef,
    Widget,
    for_school,
    registry,
)
from cartable.timetable import access, queries, versions
from cartable.timetable.forms import TokenForm
from cartable.timetable.ical import FRESH_TOKEN_KEY
from cartable.timetable.models import CalendarToken
from cartable.timetable.text import room_label

registry.register_app(
    PortalApp(
        code="timetable",
        follows_child=True,
        name=gettext_lazy("Emploi du temps"),
        url_name="timetable:week",
        icon="timetable",
        description=gettext_lazy("La semaine de cours, les annulations et les changements de salle"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL}),
        order=20,
    )
)

# --- Today's lessons ---------------------------------------------------------------------------------


def _rows(lessons: list[queries.Lesson]) -> tuple:
    """Built-in types only: they are kept in the shared cache."""
    return tuple(
        (
            lesson.start.strftime("%H:%M"),
            lesson.end.strftime("%H:%M"),
            lesson.subject,
            lesson.room,
            lesson.usual_room,
            lesson.teachers_label,
            lesson.groups_label,
            lesson.status,
            queries.describe(lesson),
        )
        for lesson in lessons
    )


def _widget_lessons(rows: tuple) -> tuple[dict, ...]:
    """The lessons as the widget's template reads them."""
    return tuple(
        {
            "start": r[0],
            "end": r[1],
            "subject": r[2],
            "room": r[3],
            "usual_room": r[4],
            "teachers": r[5],
            "groups": r[6],
            "status": r[7],
            "change": r[8],
            "cancelled": r[7] == queries.Status.CANCELLED,
            "room_changed": r[3] != r[4] and r[7] != queries.Status.CANCELLED,
        }
        for r in rows
    )


def teachers_today(person_id: int, day: date) -> tuple[dict, ...]:
    """A teacher's lessons of the day. Courses name their teachers directly: no directory fact is involved,
    so the entry survives directory changes (a renamed teacher shows within the hour)."""
    return versions.cached(
        f"today:teacher:{person_id}:{day.isoformat()}:{get_language()}",
        lambda: _rows(queries.lessons_for_teacher(person_id, day, day)),
        _widget_lessons,
        with_directory=False,
    )


def groups_today(group_ids: frozenset[int], day: date) -> tuple[dict, ...]:
    """The lessons of the day of a set of groups: one entry shared by all the pupils of a class (and their
    guardians), kept across directory changes for the same reason."""
    key = ",".join(str(pk) for pk in sorted(group_ids))
    return versions.cached(
        f"today:groups:{key}:{day.isoformat()}:{get_language()}",
        lambda: _rows(queries.lessons_for_groups(group_ids, day, day)),
        _widget_lessons,
        with_directory=False,
    )


def groups_of_pupil(person_id: int) -> frozenset[int]:
    return frozenset(directory_queries.groups_of_pupil(person_id))


def today_widget(request, child):
    viewer = viewer_for(request.user)
    day = timezone.localdate()
    if child is not None:
        lessons, whose = groups_today(groups_of_pupil(child.pk), day), child.first_name
    elif viewer.person_id is not None and is_pupil(request.user):
        lessons, whose = groups_today(viewer.group_ids, day), ""
    elif viewer.person_id is not None and access.has_own_timetable(request.user):
        lessons, whose = teachers_today(viewer.person_id, day), ""
    else:
        return None
    return {
        "lessons": lessons,
        "whose": whose,
        "child": child,
        "teacher": child is None and not is_pupil(request.user),
        "today": day,
    }


registry.register_widget(
    Widget(
        code="timetable.today",
        template="timetable/widgets/today.html",
        context=today_widget,
        app_code="timetable",
        order=5,
    )
)

registry.register_console_link(
    ConsoleLink(
        code="timetable.import", name=gettext_lazy("Emploi du temps"), url_name="timetable:import", order=60
    )
)

# --- The school's staff home ------------------------------------------------------------------------


def manage_links(user, schools: tuple[SchoolRef, ...]) -> list[tuple[str, str]]:
    """The direction and vie scolaire manage the timetable, and its calendar (holidays zone, weeks A/B): the
    settings of the school they may change."""
    managed = access.managed_school_ids(user)
    if not managed:
        return []
    links = [(reverse("timetable:manage"), _("Gestion de l'emploi du temps"))]
    for school in schools:
        if school.pk in managed:
            url = reverse("timetable:manage_school", args=[school.uai]) + "#settings-title"
            links.append((url, for_school(_("Calendrier : vacances et semaines A/B"), school, schools)))
    return links


registry.register_school_link(SchoolLink("timetable.manage", manage_links, order=40))

# --- Calendar addresses in the preferences -----------------------------------------------------------


def calendar_section(request):
    if viewer_for(request.user).person_id is None:
        return None
    fresh = request.session.pop(FRESH_TOKEN_KEY, None)
    fresh_url = request.build_absolute_uri(f"/emploi-du-temps/ical/{fresh}.ics") if fresh else ""
    tokens = list(CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True))
    return {"tokens": tokens, "fresh_url": fresh_url, "form": TokenForm()}


registry.register_preference_section(
    PreferenceSection(
        code="timetable.calendar", template="timetable/preferences.html", context=calendar_section, order=50
    )
)

# --- Timeline ----------------------------------------------------------------------------------------


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def change_text(data: dict) -> str:
    subject = data.get("subject", "")
    groups = data.get("groups", "")
    day = _day(data.get("date", ""))
    start = data.get("start", "")
    pupil = data.get("pupil", "")
    what = data.get("change", "")
    params = {
        "subject": subject,
        "of_subject": de(subject),
        "groups": groups,
        "date": day,
        "start": start,
        "room": data.get("room", ""),
    }
    if what == "cancelled":
        text = _("%(subject)s (%(groups)s) du %(date)s à %(start)s est annulé.") % params
        if data.get("reason"):
            text += " " + _("Motif : %(reason)s.") % {"reason": data["reason"]}
    elif what == "changed":
        # A named room ("Gymnase") takes no "salle" in front: room_label decides, the sentence stays neutral.
        room = room_label(data.get("room", ""))
        name = data.get("replacement", "")
        if room and name:
            text = _(
                "%(subject)s (%(groups)s) du %(date)s à %(start)s a lieu avec %(name)s, "
                "dans une autre salle : %(room)s."
            ) % {**params, "room": room, "name": name}
        elif room:
            text = _(
                "%(subject)s (%(groups)s) du %(date)s à %(start)s a lieu dans une autre salle : %(room)s."
            ) % {**params, "room": room}
        elif name:
            text = _("%(subject)s (%(groups)s) du %(date)s à %(start)s a lieu %(what)s.") % {
                **params,
                "what": _("avec %(name)s") % {"name": name},
            }
        else:
            text = _("L'emploi du temps %(of_subject)s (%(groups)s) a changé.") % params
    elif what == "moved":
        text = _("%(subject)s (%(groups)s) du %(date)s est déplacé au %(new_date)s à %(new_start)s.") % {
            **params,
            "new_date": _day(data.get("new_date", "")),
            "new_start": data.get("new_start", ""),
        }
    elif what == "extra":
        text = _("Séance supplémentaire %(of_subject)s (%(groups)s) le %(date)s à %(start)s.") % {
            **params,
            "start": data.get("new_start", start),
        }
    elif what == "restored":
        text = _("%(subject)s (%(groups)s) du %(date)s a lieu comme d'habitude.") % params
    elif what == "ended":
        text = _("Le cours %(of_subject)s (%(groups)s) s'arrête après le %(date)s.") % params
    elif what == "absence":
        text = _absence_text(data)
    elif what == "new_course":
        text = _("Nouveau cours dans l'emploi du temps : %(subject)s (%(groups)s).") % params
    else:
        text = _("L'emploi du temps %(of_subject)s (%(groups)s) a changé.") % params
    if pupil:
        text = f"{pupil} : {text}"
    return text


def _absence_text(data: dict) -> str:
    count = data.get("count", 0) if isinstance(data.get("count"), int) else 0
    params = {
        "teacher": data.get("teacher", ""),
        "start": _day(data.get("date", "")),
        "end": _day(data.get("until", "")),
        "count": count,
        "subject": data.get("subject", ""),
        "groups": data.get("groups", ""),
        "name": data.get("replacement", ""),
    }
    if params["name"]:
        text = (
            ngettext(
                "Absence de %(teacher)s du %(start)s au %(end)s : %(count)d séance "
                "(%(subject)s, %(groups)s) assurée par %(name)s.",
                "Absence de %(teacher)s du %(start)s au %(end)s : %(count)d séances "
                "(%(subject)s, %(groups)s) assurées par %(name)s.",
                count,
            )
            % params
        )
    else:
        text = (
            ngettext(
                "Absence de %(teacher)s du %(start)s au %(end)s : %(count)d séance annulée (%(subject)s, "
                "%(groups)s).",
                "Absence de %(teacher)s du %(start)s au %(end)s : %(count)d séances annulées (%(subject)s, "
                "%(groups)s).",
                count,
            )
            % params
        )
    if data.get("reason"):
        text += " " + _("Motif : %(reason)s.") % {"reason": data["reason"]}
    return text


register_kind(
    EventKind(
        code="timetable.change",
        label=gettext_lazy("Changement d'emploi du temps"),
        text=change_text,
        default_channel=Channel.IMMEDIATE,
        icon="timetable",
        app_code="timetable",
    )
)
