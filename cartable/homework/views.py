"""Pages of the cahier de textes. Thin: parse, ask access/queries, call an action, render."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.directory.models import Group
from cartable.directory.queries import home_facts
from cartable.files.serving import file_response
from cartable.homework import access, actions, queries, sessions
from cartable.homework.forms import EntryForm, HomeworkFormSet, VisaForm
from cartable.homework.models import Entry, Visa
from cartable.lib import rich_text
from cartable.lib.errors import Refused
from cartable.lib.french import de
from cartable.lib.params import local_url, parse_date, valid_ints
from cartable.portal.children import children_for_page, selected_child_id

SUBJECT_PAGE_SIZE = 20


def _children(request) -> tuple[list, Any]:
    """A guardian's children and the one chosen with ?enfant= (404 for anyone else's child)."""
    children = children_for_page(request, home_facts(request.user).children)
    if not children:
        return [], None
    child_id = selected_child_id(request, [c.pk for c in children])
    return children, next((c for c in children if c.pk == child_id), None)


def group_url(group_id: int, day: dt.date | None = None, child_id: int | None = None) -> str:
    params: dict[str, Any] = {}
    if day is not None:
        params["semaine"] = sessions.monday_of(day).isoformat()
    if child_id is not None:
        params["enfant"] = child_id
    url = reverse("homework:group", args=[group_id])
    return f"{url}?{urlencode(params)}" if params else url


@login_required
def index(request):
    viewer = policy.viewer_for(request.user)
    children, child = _children(request)
    pupil_id = child.pk if child is not None else None
    if pupil_id is None and queries.todo_target(request.user, None) is not None:
        pupil_id = viewer.person_id
    family_groups = (
        list(
            Group.objects.filter(
                pk__in=current_enrolments().filter(student_id=pupil_id).values("group_id")
            ).order_by("kind", "name")
        )
        if pupil_id is not None
        else []
    )
    soon = []
    if pupil_id is not None:
        today = timezone.localdate()
        soon = list(
            queries.homework_of_pupil(
                pupil_id, own=child is None, start=today, end=today + dt.timedelta(days=queries.WIDGET_DAYS)
            ).prefetch_related("attachments__stored")[: queries.INDEX_ITEMS]
        )
    teachings = access.teachings_of(request.user)
    recent = (
        list(
            Entry.objects.filter(author_id=viewer.person_id, group_id__in=viewer.taught_group_ids)
            .select_related("group", "subject")
            .order_by("-updated_at", "-pk")[:10]
        )
        if teachings
        else []
    )
    taught_groups: dict[int, str] = {}
    for teaching in teachings:
        taught_groups.setdefault(teaching.group_id, teaching.group_name)
    return render(
        request,
        "homework/index.html",
        {
            "children": children,
            "child": child,
            "family_groups": family_groups,
            "teachings": teachings,
            "taught_groups": sorted(taught_groups.items(), key=lambda item: item[1]),
            "recent": recent,
            "inspects": bool(access.inspecting_schools(request.user)),
            "shows_todo": pupil_id is not None,
            "soon": soon,
            "own": child is None,
            "soon_days": queries.WIDGET_DAYS,
        },
    )


def _monday(request, params=None) -> dt.date:
    """The Monday of the week asked for (?semaine=, or a posted `semaine`), else of this week."""
    day = parse_date((request.GET if params is None else params).get("semaine"))
    return sessions.monday_of(day or timezone.localdate())


@login_required
def group(request, group_id: int):
    return _group_page(request, access.group_or_404(request.user, group_id), _monday(request))


def _group_page(request, group: Group, monday: dt.date, visa_form: VisaForm | None = None, status: int = 200):
    """A class's or group's cahier, by week or by subject; for the direction and vie scolaire, its visas and
    the sessions given since the last one with nothing in the cahier."""
    by_subject = request.GET.get("vue") == "matiere"
    entries = access.entries_visible_to(request.user, group)
    visa_date = access.last_visa_date(group.pk)
    context: dict[str, Any] = {
        "group": group,
        "by_subject": by_subject,
        "visa_date": visa_date,
        "teaches": policy.teaches(request.user, group),
        "author_id": policy.viewer_for(request.user).person_id,
        "can_sign": access.can_sign(request.user, group),
        "child_id": request.GET.get("enfant", ""),
    }
    if by_subject:
        subjects = sorted(
            set(entries.order_by().values_list("subject_id", "subject__name").distinct()),
            key=lambda row: (row[1] or "", row[0] or 0),
        )
        known = {str(s or 0): s for s, _name in subjects}
        chosen = request.GET.get("matiere")
        subject_id = known[chosen] if chosen in known else (subjects[0][0] if subjects else None)
        chosen_entries = (
            entries.filter(subject__isnull=True)
            if subject_id is None
            else entries.filter(subject_id=subject_id)
        ).order_by("-date", "-start_time", "-pk")
        page = Paginator(queries.with_details(chosen_entries), SUBJECT_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context |= {"subjects": subjects, "subject_id": subject_id or 0, "page": page, "entries": page}
    else:
        week = list(
            queries.with_details(
                entries.filter(date__range=(monday, monday + dt.timedelta(days=6)))
            ).order_by("date", "start_time", "pk")
        )
        context |= {
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous": (monday - dt.timedelta(days=7)).isoformat(),
            "next": (monday + dt.timedelta(days=7)).isoformat(),
            "this_week": sessions.monday_of(timezone.localdate()).isoformat(),
            "days": [(day, list(items)) for day, items in groupby(week, key=lambda e: e.date)],
        }
    if context["can_sign"] or access.reads_as_inspector(request.user, group):
        until = queries.default_visa_date()
        since = queries.empty_sessions_since(group, visa_date, until)
        context["visas"] = list(Visa.objects.filter(group=group).select_related("signed_by")[:5])
        if context["can_sign"]:
            context["visa_form"] = visa_form or VisaForm(initial={"date": until})
        context["empty_sessions"] = queries.empty_sessions({group.pk: since}, until)
        context["empty_since"], context["empty_until"] = since, until
        if visa_date is not None:
            context["after_visa"] = (visa_date + dt.timedelta(days=1)).isoformat()
    return render(request, "homework/group.html", context, status=status)


def _entry_input(form: EntryForm, formset, request, entry: Entry | None = None) -> actions.EntryInput:
    data = form.cleaned_data
    teaching = data["teaching"]
    items = []
    for item in formset.forms:
        if not item.has_changed() and not item.cleaned_data.get("id"):
            continue
        cleaned = item.cleaned_data
        items.append(
            actions.HomeworkInput(
                id=cleaned.get("id"),
                instructions=cleaned.get("instructions") or "",
                due_date=cleaned.get("due_date") or data["date"],
                duration_minutes=cleaned.get("duration_minutes"),
                files=cleaned.get("attachments") or [],
                delete=bool(cleaned.get("delete")),
            )
        )
    removed = valid_ints(request.POST.getlist("remove_attachment"))
    return actions.EntryInput(
        group_id=teaching.group_id,
        subject_id=teaching.subject_id,
        date=data["date"],
        start_time=data.get("start_time"),
        title=data.get("title") or "",
        content=data.get("content") or "",
        visible_from=data.get("visible_from"),
        course_id=sessions.own_course(request.user, data.get("course"), data["date"], teaching),
        files=data.get("attachments") or [],
        homework=items,
        remove_attachments=removed,
    )


def _files_lost_warning(request, form, formset) -> None:
    if request.FILES:
        form.add_error(None, _("Les pièces jointes n'ont pas été enregistrées : choisissez-les de nouveau."))


def _render_entry_form(request, form, formset, **extra):
    return render(request, "homework/entry_form.html", {"form": form, "formset": formset, **extra})


def _open_written(request, entry_id: int):
    """A session of the timetable already in the cahier: its author edits it, a co-teacher reads it."""
    entry = Entry.objects.select_related("author").get(pk=entry_id)
    viewer = policy.viewer_for(request.user)
    if entry.author_id == viewer.person_id and entry.group_id in viewer.taught_group_ids:
        messages.info(request, _("Cette séance est déjà dans le cahier de textes : vous pouvez la modifier."))
        return redirect("homework:entry_edit", entry_id=entry.pk)
    messages.info(
        request,
        _("Cette séance est déjà dans le cahier de textes, écrite par %(name)s.")
        % {"name": entry.author.full_name if entry.author else _("un ancien enseignant")},
    )
    return redirect(f"{group_url(entry.group_id, entry.date)}#seance-{entry.pk}")


def _written_link(request, refusal: Refused) -> Entry | None:
    """The session a refused one duplicates, when the teacher may open it for editing."""
    entry = getattr(refusal, "entry", None)
    viewer = policy.viewer_for(request.user)
    if entry is not None and entry.author_id == viewer.person_id:
        return entry
    return None


@login_required
def entry_new(request):
    teachings = access.teachings_of(request.user)
    if not teachings:
        raise Http404
    week_lessons = sessions.week_choices(request.user, teachings)
    chosen = sessions.chosen_session(request, teachings, week_lessons)
    if chosen is not None and chosen.entry_id is not None and request.method != "POST":
        # "Remplir le cahier de textes" on a lesson already written opens that session, not a blank one.
        return _open_written(request, chosen.entry_id)
    initial: dict[str, Any] = {"date": timezone.localdate()}
    if chosen is not None:
        initial |= {
            "teaching": chosen.teaching.key,
            "date": chosen.date,
            "start_time": chosen.start,
            "course": chosen.course_id,
        }
    elif request.GET.get("classe"):
        wanted = [t for t in teachings if str(t.group_id) == request.GET["classe"]]
        if wanted:
            initial["teaching"] = wanted[0].key
    post = request.method == "POST"
    form = EntryForm(
        request.POST if post else None, request.FILES if post else None, teachings=teachings, initial=initial
    )
    formset = HomeworkFormSet(
        request.POST if post else None, request.FILES if post else None, prefix="travail"
    )
    written = None
    if post and form.is_valid():
        formset.session_date = form.cleaned_data["date"]
        if formset.is_valid():
            try:
                entry = actions.create_entry(request.user, _entry_input(form, formset, request))
            except Refused as refusal:
                form.add_error(None, str(refusal))
                written = _written_link(request, refusal)
            else:
                messages.success(request, _("La séance est enregistrée dans le cahier de textes."))
                return redirect(group_url(entry.group_id, entry.date))
    if post:
        _files_lost_warning(request, form, formset)
    return _render_entry_form(
        request,
        form,
        formset,
        week_lessons=week_lessons,
        today=timezone.localdate(),
        chosen=chosen,
        entry=None,
        attachments=[],
        written=written,
    )


@login_required
def entry_edit(request, entry_id: int):
    entry = access.own_entry_or_404(request.user, entry_id)
    if access.is_locked(entry):
        messages.error(
            request,
            _("Cette séance est couverte par le visa de la direction : elle ne peut plus être modifiée."),
        )
        return redirect(group_url(entry.group_id, entry.date))
    teachings = access.teachings_of(request.user)
    homework = list(entry.homework.prefetch_related("attachments__stored"))
    initial = {
        "teaching": f"{entry.group_id}-{entry.subject_id or 0}",
        "date": entry.date,
        "start_time": entry.start_time,
        "title": entry.title,
        "content": rich_text.editable(entry.content),
        "visible_from": timezone.localtime(entry.visible_from) if entry.visible_from else None,
        "course": entry.course_id,
    }
    post = request.method == "POST"
    form = EntryForm(
        request.POST if post else None, request.FILES if post else None, teachings=teachings, initial=initial
    )
    formset = HomeworkFormSet(
        request.POST if post else None,
        request.FILES if post else None,
        prefix="travail",
        initial=[
            {
                "id": h.pk,
                "instructions": rich_text.editable(h.instructions),
                "due_date": h.due_date,
                "duration_minutes": h.duration_minutes,
            }
            for h in homework
        ],
    )
    written = None
    if post and form.is_valid():
        formset.session_date = form.cleaned_data["date"]
        if formset.is_valid():
            try:
                entry = actions.update_entry(request.user, entry, _entry_input(form, formset, request, entry))
            except Refused as refusal:
                form.add_error(None, str(refusal))
                written = _written_link(request, refusal)
            else:
                messages.success(request, _("La séance est modifiée."))
                return redirect(group_url(entry.group_id, entry.date))
    if post:
        _files_lost_warning(request, form, formset)
    attachments = list(entry.attachments.filter(homework__isnull=True))
    files_by_homework = {h.pk: list(h.attachments.all()) for h in homework}
    return _render_entry_form(
        request,
        form,
        formset,
        week_lessons=[],
        chosen=None,
        entry=entry,
        attachments=attachments,
        files_by_homework=files_by_homework,
        written=written,
    )


@login_required
@require_POST
def entry_delete(request, entry_id: int):
    entry = access.own_entry_or_404(request.user, entry_id)
    try:
        actions.delete_entry(request.user, entry)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("La séance est supprimée du cahier de textes."))
    return redirect(group_url(entry.group_id, entry.date))


@login_required
def todo(request):
    children, child = _children(request)
    target = queries.todo_target(request.user, child.pk if child is not None else None)
    if target is None:
        raise Http404
    today = timezone.localdate()
    items = list(
        queries.homework_of_pupil(
            target.pupil_id, own=target.own, start=today, end=today + dt.timedelta(days=queries.TODO_DAYS)
        ).prefetch_related("attachments__stored")
    )
    return render(
        request,
        "homework/todo.html",
        {
            "children": children,
            "child": child,
            "own": target.own,
            "days": [(day, list(group)) for day, group in groupby(items, key=lambda h: h.due_date)],
            "horizon": queries.TODO_DAYS,
        },
    )


@login_required
@require_POST
def done(request, homework_id: int):
    """A pupil ticks homework done (or not); htmx swaps the item, otherwise the page reloads."""
    wanted = request.POST.get("done") == "1"
    homework = access.homework_to_tick_or_404(request.user, homework_id)
    try:
        actions.set_done(request.user, homework, wanted)
    except Refused:
        raise Http404 from None
    if request.htmx:
        pupil_id = policy.viewer_for(request.user).person_id or 0
        item = (
            queries.homework_of_pupil(pupil_id, own=True, start=dt.date.min, end=dt.date.max)
            .filter(pk=homework_id)
            .first()
        )
        if item is None:
            raise Http404
        return render(
            request,
            "homework/_todo_item.html",
            {"item": item, "own": True, "compact": request.POST.get("compact") == "1", "next": ""},
        )
    target = local_url(request.POST.get("next"), reverse("homework:todo"))
    messages.success(request, _("C'est noté.") if wanted else _("Le travail est de nouveau à faire."))
    return redirect(target)


@login_required
def attachment(request, attachment_id: int):
    found = access.attachment_or_404(request.user, attachment_id)
    return file_response(request, found.stored, found.name)


@login_required
def visas(request):
    schools = access.inspecting_schools(request.user)
    if not schools:
        raise Http404
    groups = list(queries.group_visa_summary(schools))
    until = queries.default_visa_date()
    empty = queries.empty_sessions(
        {g.pk: queries.empty_sessions_since(g, getattr(g, "last_visa", None), until) for g in groups}, until
    )
    counts: dict[int, int] = {}
    for found in empty:
        counts[found.group_id] = counts.get(found.group_id, 0) + 1
    return render(
        request,
        "homework/visas.html",
        {
            "rows": [(g, counts.get(g.pk, 0)) for g in groups],
            "signing_schools": access.directed_schools(request.user),
            "until": until,
            "weeks": queries.EMPTY_WEEKS,
            "teachers": queries.empty_sessions_by_teacher(empty),
        },
    )


@login_required
@require_POST
def visa_sign(request, group_id: int):
    group = access.group_or_404(request.user, group_id)
    if not access.can_sign(request.user, group):
        raise Http404
    form = VisaForm(request.POST)
    # Back to the week the direction was reading.
    monday = _monday(request, request.POST)
    if form.is_valid():
        try:
            visa = actions.sign_visa(
                request.user, group, form.cleaned_data["comment"], form.cleaned_data["date"]
            )
        except Refused as refusal:
            form.add_error("date", str(refusal))
        else:
            messages.success(
                request,
                _(
                    "Cahier de textes %(of_group)s visé : les séances jusqu'au %(date)s sont verrouillées, "
                    "les suivantes restent modifiables."
                )
                % {"of_group": de(group.name), "date": visa.date.strftime("%d/%m/%Y")},
            )
            return redirect(group_url(group.pk, monday))
    # The page again, with the date and the observation as typed and what is wrong with them.
    return _group_page(request, group, monday, visa_form=form, status=400)
