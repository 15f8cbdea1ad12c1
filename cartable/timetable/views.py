"""Timetable pages: my week (pupil, guardian per child, teacher), a class's and a room's week, the editing
pages of vie scolaire and direction, the CSV import of the admin console, and the iCalendar feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cartable.access.policy import current_enrolments, is_pupil, viewer_for
from cartable.console.decorators import console_view
from cartable.directory.models import Membership, Profile, School
from cartable.directory.queries import home_facts
from cartable.lib.errors import Refused
from cartable.lib.params import optional_int_or_404, parse_date
from cartable.portal import switches
from cartable.portal.children import children_for_page, selected_child_id
from cartable.timetable import access, actions, ical, importer, lesson_links, queries
from cartable.timetable.forms import (
    AbsenceForm,
    ChangeForm,
    ConfirmImportForm,
    CourseForm,
    EndCourseForm,
    ImportForm,
    SettingsForm,
    TimeSlotForm,
    TokenForm,
)
from cartable.timetable.ical import FRESH_TOKEN_KEY
from cartable.timetable.models import CalendarToken, CourseException, TimeSlot, TimetableSettings
from cartable.timetable.queries import Lesson

APP_CODE = "timetable"  # as registered in cartable.timetable.portal


# --- Weeks -------------------------------------------------------------------------------------------


@dataclass
class Day:
    date: date
    lessons: list[Lesson]
    holiday: str = ""
    links: dict[str, list[lesson_links.LessonLink]] = field(default_factory=dict)

    @property
    def entries(self) -> list[tuple[Lesson, list[lesson_links.LessonLink]]]:
        """Each lesson with the links other apps add to it (cartable.timetable.lesson_links)."""
        return [(lesson, self.links.get(lesson.uid, [])) for lesson in self.lessons]

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()

    @property
    def is_past(self) -> bool:
        return self.date < timezone.localdate()


def monday_from(request) -> date:
    """The Monday of the week asked with ?semaine=YYYY-MM-DD (any day of it), else this week's (also for a
    date that is not one, or too far from now: see cartable.lib.params)."""
    return queries.monday_of(parse_date(request.GET.get("semaine")) or timezone.localdate())


def days_of_week(
    monday: date,
    lessons: list[Lesson],
    holidays: dict[date, str],
    links: dict[str, list[lesson_links.LessonLink]] | None = None,
) -> list[Day]:
    saturday = any(lesson.date.weekday() == 5 for lesson in lessons)
    days = [Day(d, [], holidays.get(d, ""), links or {}) for d in queries.week_days(monday, saturday)]
    by_date = {d.date: d for d in days}
    for lesson in lessons:
        if lesson.date in by_date:
            by_date[lesson.date].lessons.append(lesson)
    return days


def week_context(
    request, monday: date, lessons: list[Lesson], holidays: dict[date, str], school_ids, **extra
) -> dict:
    if not holidays and not lessons and school_ids:
        # No course at all to learn the schools' calendar from: ask it directly.
        holidays = queries.holidays_between(school_ids, monday, monday + timedelta(days=5))
    query = request.GET.copy()
    query.pop("semaine", None)

    def url_for(day: date) -> str:
        query["semaine"] = day.isoformat()
        return f"?{query.urlencode()}"

    days = days_of_week(monday, lessons, holidays, lesson_links.links_for(request.user, lessons))
    return {
        "monday": monday,
        "days": days,
        # This week, on a phone, the list starts at today (timetable.css), with a link back to Monday.
        "from_today": any(d.is_today for d in days) and any(d.is_past for d in days),
        "previous_url": url_for(monday - timedelta(weeks=1)),
        "next_url": url_for(monday + timedelta(weeks=1)),
        "today_url": url_for(timezone.localdate()),
        "week_letter": _week_letter(lessons),
        **extra,
    }


def _week_letter(lessons: list[Lesson]) -> str:
    letters = {lesson.week for lesson in lessons}
    return letters.pop() if len(letters) == 1 else ""


@login_required
def week(request):
    """My week: a pupil's or a teacher's own, or a guardian's child's (?enfant=<id>, one of their own)."""
    viewer = viewer_for(request.user)
    children = children_for_page(request, home_facts(request.user).children)
    # A parent who also teaches sees their own week unless they choose a child.
    child_id = selected_child_id(request, [c.pk for c in children], first_by_default=False)
    own = access.has_own_timetable(request.user)
    if child_id is None and not own and children:
        child_id = children[0].pk
    monday = monday_from(request)
    end = monday + timedelta(days=6)
    lessons: list[Lesson] = []
    holidays: dict[date, str] = {}
    school_ids: list[int] = []
    mode = "none"
    if child_id is not None:
        mode = "child"
        lessons = queries.lessons_for_pupil(child_id, monday, end, holidays)
        if not lessons and not holidays:
            school_ids = list(
                Membership.objects.filter(person_id=child_id, profile=Profile.STUDENT).values_list(
                    "school_id", flat=True
                )
            )
    elif viewer.person_id is not None and is_pupil(request.user):
        mode = "pupil"
        # The pupil's own groups are among the cached facts of the access policy: no query for them.
        lessons = queries.lessons_for_groups(viewer.group_ids, monday, end, holidays)
        school_ids = sorted(viewer.schools_with_profile(Profile.STUDENT))
    elif viewer.person_id is not None and own:
        mode = "teacher"
        lessons = queries.lessons_for_teacher(viewer.person_id, monday, end, holidays)
        school_ids = sorted(viewer.schools_with_profile(Profile.TEACHER))
    context = week_context(
        request,
        monday,
        lessons,
        holidays,
        school_ids,
        mode=mode,
        children=children,
        child=next((c for c in children if c.pk == child_id), None),
        own=own,
        show_groups=mode == "teacher",
        show_teachers=mode != "teacher",
        # A teacher's own sessions lead to the cahier de textes, the session pre-selected.
        fill_cahier=mode == "teacher",
        managed=bool(access.managed_school_ids(request.user)),
        staff=bool(viewer.schools_with_profile(Profile.TEACHER, Profile.PERSONNEL)),
    )
    return render(request, "timetable/week.html", context)


@login_required
def index(request):
    """The classes, groups and rooms whose week the user may open."""
    groups = list(
        access.groups_visible_to(request.user)
        .select_related("school")
        .order_by("school__name", "kind", "name")
    )
    rooms = list(
        access.rooms_visible_to(request.user).select_related("school").order_by("school__name", "name")
    )
    return render(request, "timetable/index.html", {"groups": groups, "rooms": rooms})


@login_required
def group_week(request, group_id: int):
    group = access.group_or_404(request.user, group_id)
    monday = monday_from(request)
    holidays: dict[date, str] = {}
    lessons = queries.lessons_for_groups([group.pk], monday, monday + timedelta(days=6), holidays)
    context = week_context(
        request,
        monday,
        lessons,
        holidays,
        [group.school_id],
        group=group,
        show_groups=not group.is_class,
        show_teachers=True,
        can_manage=access.can_manage(request.user, group.school_id),
    )
    return render(request, "timetable/group_week.html", context)


@login_required
def room_week(request, room_id: int):
    room = access.room_or_404(request.user, room_id)
    monday = monday_from(request)
    holidays: dict[date, str] = {}
    lessons = queries.lessons_for_room(room.pk, monday, monday + timedelta(days=6), holidays)
    context = week_context(
        request,
        monday,
        lessons,
        holidays,
        [room.school_id],
        room=room,
        show_groups=True,
        show_teachers=True,
        can_manage=access.can_manage(request.user, room.school_id),
    )
    return render(request, "timetable/room_week.html", context)


# --- Editing by vie scolaire and direction -----------------------------------------------------------


def manager_view(view):
    """Logged in, then the second factor (staff pages that change what families see)."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.managed_school_ids(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@manager_view
def manage_home(request):
    schools = list(School.objects.filter(pk__in=access.managed_school_ids(request.user)).order_by("name"))
    if len(schools) == 1:
        return redirect("timetable:manage_school", uai=schools[0].uai)
    return render(request, "timetable/manage_home.html", {"schools": schools})


@manager_view
def manage_school(request, uai: str):
    school = access.managed_school_or_404(request.user, uai)
    current = TimetableSettings.objects.filter(school=school).first()
    form = SettingsForm(
        request.POST or None,
        initial={
            "zone": current.zone if current else "",
            "week_a_monday": current.week_a_monday if current else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        actions.save_settings(
            request.user, school, form.cleaned_data["zone"], form.cleaned_data["week_a_monday"]
        )
        messages.success(request, _("Réglages enregistrés."))
        return redirect("timetable:manage_school", uai=school.uai)
    groups = list(access.groups_visible_to(request.user).filter(school=school).order_by("kind", "name"))
    rooms = list(access.rooms_visible_to(request.user).filter(school=school).order_by("name"))
    slots = list(TimeSlot.objects.filter(school=school))
    zone = (current.zone if current and current.zone else "") or queries.zone_of_academy(school.academy)
    return render(
        request,
        "timetable/manage_school.html",
        {
            "school": school,
            "form": form,
            "groups": groups,
            "rooms": rooms,
            "zone": zone,
            "slots": slots,
            "slot_form": TimeSlotForm(),
        },
    )


@manager_view
@require_POST
def slot_add(request, uai: str):
    school = access.managed_school_or_404(request.user, uai)
    form = TimeSlotForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_time_slot(
                request.user, school, data["weekday"], data["label"], data["start"], data["end"]
            )
        except Refused as refusal:
            messages.error(request, refusal.reason)
        else:
            messages.success(request, _("Créneau ajouté."))
    else:
        messages.error(
            request, _("Créneau non ajouté : indiquez le jour, le début et une fin après le début.")
        )
    return redirect(f"{reverse('timetable:manage_school', args=[school.uai])}#grille")


@manager_view
@require_POST
def slot_delete(request, slot_id: int):
    slot = access.managed_slot_or_404(request.user, slot_id)
    uai = slot.school.uai
    actions.remove_time_slot(request.user, slot)
    messages.success(request, _("Créneau retiré de la grille."))
    return redirect(f"{reverse('timetable:manage_school', args=[uai])}#grille")


def _course_data(form: CourseForm) -> actions.CourseData:
    data = form.cleaned_data
    return actions.CourseData(
        groups=list(data["groups"]),
        weekday=data["weekday"],
        start=data["start"],
        end=data["end"],
        subject=data["subject"],
        label=data["label"],
        teachers=list(data["teachers"]),
        room_name=data["room"],
        weeks=data["weeks"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
    )


@manager_view
def course_new(request, uai: str):
    school = access.managed_school_or_404(request.user, uai)
    initial = {}
    group_id = optional_int_or_404(request.GET.get("classe"))
    if group_id is not None:
        initial["groups"] = [group_id]
    form = CourseForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.save_course(request.user, school, _course_data(form))
        except Refused as refusal:
            form.add_error(refusal.field, refusal.reason)
        else:
            messages.success(request, _("Cours ajouté."))
            return redirect("timetable:group", group_id=course.groups.all()[0].pk)
    return render(request, "timetable/course_form.html", {"school": school, "form": form, "course": None})


@manager_view
def course_edit(request, course_id: int):
    course = access.managed_course_or_404(request.user, course_id)
    initial = {
        "groups": list(course.groups.all()),
        "subject": course.subject,
        "label": course.label,
        "teachers": list(course.teachers.all()),
        "room": course.room.name if course.room else "",
        "weekday": course.weekday,
        "start": course.start,
        "end": course.end,
        "weeks": course.weeks,
        "valid_from": course.valid_from,
        "valid_until": course.valid_until,
    }
    form = CourseForm(request.POST or None, school=course.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_course(request.user, course.school, _course_data(form), course=course)
        except Refused as refusal:
            form.add_error(refusal.field, refusal.reason)
        else:
            messages.success(
                request, _("Cours modifié. Les élèves, leurs parents et les enseignants sont prévenus.")
            )
            return redirect("timetable:course_edit", course_id=course.pk)
    changes = list(
        CourseException.objects.filter(course=course)
        .select_related("room", "replacement")
        .order_by("-date")[:50]
    )
    return render(
        request,
        "timetable/course_form.html",
        {
            "school": course.school,
            "form": form,
            "course": course,
            "changes": changes,
            "end_form": EndCourseForm(),
        },
    )


@manager_view
@require_POST
def course_end(request, course_id: int):
    course = access.managed_course_or_404(request.user, course_id)
    form = EndCourseForm(request.POST)
    if form.is_valid():
        actions.end_course(request.user, course, form.cleaned_data["last_day"])
        messages.success(
            request,
            _("Le cours s'arrête après le %(date)s.")
            % {"date": form.cleaned_data["last_day"].strftime("%d/%m/%Y")},
        )
    else:
        messages.error(request, _("Date invalide."))
    return redirect("timetable:course_edit", course_id=course.pk)


@manager_view
def change_new(request, course_id: int):
    course = access.managed_course_or_404(request.user, course_id)
    initial: dict = {"kind": "cancelled", "date": parse_date(request.GET.get("date"))}
    form = ChangeForm(request.POST or None, school=course.school, initial=initial)
    conflicts: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = actions.add_change(
                request.user,
                course,
                actions.ChangeData(
                    kind=data["kind"],
                    date=data["date"],
                    reason=data["reason"],
                    room_name=data["room"],
                    replacement=data["replacement"],
                    new_date=data["new_date"],
                    start=data["start"],
                    end=data["end"],
                ),
                confirm_conflicts=data["confirm_conflicts"],
            )
        except actions.ConflictsFound as error:
            form.add_error(None, error.reason)
            conflicts = error.conflicts
        except Refused as refusal:
            form.add_error(refusal.field, refusal.reason)
        else:
            messages.success(
                request,
                _("Modification enregistrée. Les élèves, leurs parents et les enseignants sont prévenus."),
            )
            group = course.groups.all().first()
            target = (
                reverse("timetable:group", args=[group.pk])
                if group
                else reverse("timetable:course_edit", args=[course.pk])
            )
            return redirect(f"{target}?semaine={change.date.isoformat()}")
    return render(
        request,
        "timetable/change_form.html",
        {"course": course, "form": form, "conflicts": conflicts},
    )


@manager_view
@require_POST
def change_delete(request, change_id: int):
    change = access.managed_exception_or_404(request.user, change_id)
    course_id = change.course_id
    actions.remove_change(request.user, change)
    messages.success(request, _("Modification annulée : la séance a lieu comme d'habitude."))
    return redirect("timetable:course_edit", course_id=course_id)


@manager_view
def teacher_absent(request, uai: str):
    """A teacher is away: every session they were to give over a period is cancelled or handed to a
    replacement in one step. The first submit previews what would change; saving is a second, explicit one."""
    school = access.managed_school_or_404(request.user, uai)
    form = AbsenceForm(request.POST or None, school=school)
    plan = None
    conflicts: list = []
    previewed = ""
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        data = actions.AbsenceData(
            teacher=cleaned["teacher"],
            start=cleaned["start"],
            end=cleaned["end"],
            replacement=cleaned["replacement"],
            reason=cleaned["reason"],
        )
        previewed = _absence_signature(data)
        # Saving needs a preview of these very choices: changed after the preview, the form previews again.
        saving = request.POST.get("previewed") == previewed and (
            "save" in request.POST or cleaned["confirm_conflicts"]
        )
        try:
            plan = actions.plan_absence(request.user, school, data)
            conflicts = plan.conflicts
            if saving:
                done = actions.record_absence(
                    request.user, school, data, confirm_conflicts=cleaned["confirm_conflicts"]
                )
                messages.success(request, _absence_done(data, len(done.lessons)))
                return redirect("timetable:manage_school", uai=school.uai)
        except actions.ConflictsFound as error:
            form.add_error(None, error.reason)
            conflicts = error.conflicts
        except Refused as refusal:
            form.add_error(refusal.field, refusal.reason)
    return render(
        request,
        "timetable/absence.html",
        {
            "school": school,
            "form": form,
            "plan": plan,
            "conflicts": conflicts,
            "previewed": previewed if plan is not None else "",
        },
    )


def _absence_signature(data: actions.AbsenceData) -> str:
    replacement = data.replacement.pk if data.replacement else ""
    return f"{data.teacher.pk}:{data.start.isoformat()}:{data.end.isoformat()}:{replacement}"


def _absence_done(data: actions.AbsenceData, count: int) -> str:
    if data.replacement is not None:
        return ngettext(
            "%(count)d séance confiée à %(name)s. "
            "Les élèves, leurs parents et les enseignants sont prévenus.",
            "%(count)d séances confiées à %(name)s. "
            "Les élèves, leurs parents et les enseignants sont prévenus.",
            count,
        ) % {"count": count, "name": data.replacement.full_name}
    return ngettext(
        "%(count)d séance annulée. Les élèves, leurs parents et les enseignants sont prévenus.",
        "%(count)d séances annulées. Les élèves, leurs parents et les enseignants sont prévenus.",
        count,
    ) % {"count": count}


# --- Import in the admin console ---------------------------------------------------------------------


@console_view
def import_page(request, school: School):
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    confirm = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importer.MAX_BYTES:
            form.add_error("file", _("Le fichier dépasse 1 Mo."))
        else:
            preview = importer.parse(upload.read(), school)
            confirm = ConfirmImportForm(
                initial={
                    "content": preview.content,
                    "valid_from": form.cleaned_data["valid_from"],
                    "replace": form.cleaned_data["replace"],
                }
            )
    return render(
        request,
        "timetable/import.html",
        {"school": school, "form": form, "preview": preview, "confirm": confirm},
    )


@console_view
@require_POST
def import_confirm(request, school: School):
    form = ConfirmImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("L'import a expiré : déposez le fichier à nouveau."))
        return redirect("timetable:import", uai=school.uai)
    preview = importer.parse(form.cleaned_data["content"], school)
    if preview.errors or not preview.valid:
        messages.error(request, _("Aucun cours à importer."))
        return redirect("timetable:import", uai=school.uai)
    result = actions.import_courses(
        request.user, school, preview.valid, form.cleaned_data["valid_from"], form.cleaned_data["replace"]
    )
    messages.success(
        request,
        _("%(created)d cours importés, %(skipped)d déjà présents, %(errors)d lignes en erreur non importées.")
        % {"created": result.created, "skipped": result.skipped, "errors": preview.error_count},
    )
    return redirect("timetable:import", uai=school.uai)


# --- Calendar addresses and the iCalendar feed -------------------------------------------------------


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    try:
        token = actions.create_calendar_token(request.user, label)
    except Refused as refusal:
        messages.error(request, refusal.reason)
        return redirect(f"{reverse('portal:preferences')}#agenda")
    request.session[FRESH_TOKEN_KEY] = token
    messages.success(request, _("Adresse d'agenda créée. Copiez-la maintenant : elle ne sera plus affichée."))
    return redirect(f"{reverse('portal:preferences')}#agenda")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = access.own_token_or_404(request.user, token_id)
    actions.revoke_calendar_token(request.user, token)
    messages.success(
        request, _("Adresse d'agenda révoquée : les agendas qui l'utilisent ne se mettent plus à jour.")
    )
    return redirect(f"{reverse('portal:preferences')}#agenda")


FEED_WEEKS_BEFORE = 4
FEED_DAYS_AFTER = 190


@never_cache
def feed(request, token: str):
    """The timetable of the token's owner (and of their children), for calendar apps: no session, no other
    access; an unknown or revoked token, or a blocked account, is a 404."""
    found = (
        CalendarToken.objects.filter(token_hash=actions.token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active or found.user.is_blocked:
        raise Http404
    user = found.user
    # No session here for the pages' switch check: the owner's school may have switched the timetable off.
    if switches.app_code_is_off(user, APP_CODE):
        raise Http404
    viewer = viewer_for(user)
    today = timezone.localdate()
    start, end = today - timedelta(weeks=FEED_WEEKS_BEFORE), today + timedelta(days=FEED_DAYS_AFTER)
    owners: list[tuple[str, str, list[Lesson]]] = []
    if viewer.person_id is not None:
        if is_pupil(user):
            owners.append(("", "", queries.lessons_for_groups(viewer.group_ids, start, end)))
        elif access.has_own_timetable(user):
            owners.append(("", "", queries.lessons_for_teacher(viewer.person_id, start, end)))
        if viewer.child_ids:
            owners.extend(children_lessons(user, start, end))
    actions.mark_token_used(found)
    body = ical.calendar_of(owners, _("Emploi du temps — Cartable"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="emploi-du-temps.ics"'
    return response


def children_lessons(user, start: date, end: date) -> list[tuple[str, str, list[Lesson]]]:
    """Each child's lessons, in one pass over all their groups (the same queries for one child or five)."""
    children = home_facts(user).children
    app = switches.switchable_app(APP_CODE)
    if app is not None:
        kept = set(switches.children_using(user, app, [c.pk for c in children]))
        children = tuple(c for c in children if c.pk in kept)
    groups: dict[int, set[int]] = {}
    for student_id, group_id in (
        current_enrolments()
        .filter(student_id__in=[c.pk for c in children])
        .values_list("student_id", "group_id")
    ):
        groups.setdefault(student_id, set()).add(group_id)
    lessons = queries.lessons_for_groups(set().union(*groups.values()) if groups else [], start, end)
    return [
        (
            f"p{child.pk}",
            child.first_name,
            [lesson for lesson in lessons if lesson.group_ids & groups.get(child.pk, set())],
        )
        for child in children
    ]
