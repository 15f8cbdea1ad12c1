"""Pages of the virtual classes. Thin: parse, ask access/queries, call an action, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from cartable.access.policy import viewer_for
from cartable.lib.errors import Refused
from cartable.lib.params import date_or_404, int_or_404
from cartable.timetable.queries import lesson_on
from cartable.visio import access, actions, bbb, queries
from cartable.visio.forms import VirtualClassForm
from cartable.visio.models import VirtualClass


def _joining_allowed(request, response):
    """A join button posts here and is redirected to the BigBlueButton server: browsers check a form's
    redirections against the page's form-action too, so the pages with one allow the server's origin."""
    if not bbb.configured():
        return response
    config: dict[str, Any] = {**settings.SECURE_CSP, "form-action": [CSP.SELF, bbb.origin()]}
    return csp_override(config)(lambda _request: response)(request)


@login_required
def index(request):
    if not access.uses_virtual_classes(request.user):
        raise Http404
    now = timezone.now()
    coming, over = queries.listed(request.user, now)
    return render(
        request,
        "visio/index.html",
        {
            "coming": coming,
            "over": over,
            "configured": bbb.configured(),
            "schedules": access.schedules(request.user),
            "is_pupil": bool(viewer_for(request.user).group_ids),
            "now": now,
            "minutes_before": settings.BBB_OPEN_MINUTES_BEFORE,
        },
    )


def _prefill(request) -> dict[str, Any]:
    """The timetable's session asked with ?course=<id>&date=<day>: one of the teacher's own, else 404."""
    raw_course, raw_date = request.GET.get("course"), request.GET.get("date")
    if raw_course is None and raw_date is None:
        return {}
    course_id, day = int_or_404(raw_course), date_or_404(raw_date)
    lesson = lesson_on(course_id, day)
    person_id = viewer_for(request.user).person_id
    if lesson is None or lesson.cancelled or person_id not in {t.id for t in lesson.teachers}:
        raise Http404
    taught = [g for g in lesson.groups if g.id in viewer_for(request.user).taught_group_ids]
    if not taught:
        raise Http404
    return {
        "title": lesson.subject,
        "group": taught[0].id,
        "day": lesson.date,
        "start": lesson.start,
        "end": lesson.end,
        "course": lesson.course_id,
        "lesson_date": lesson.date,
    }


@login_required
@never_cache
def new(request):
    if not access.schedules(request.user):
        raise Http404
    groups = list(access.taught_groups(request.user).order_by("name").values_list("pk", "name"))
    initial = _prefill(request) if request.method == "GET" else {}
    form = VirtualClassForm(request.POST or None, initial=initial, groups=groups)
    configured = bbb.configured()
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.schedule(request.user, _input(form))
        except Refused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("La classe virtuelle est programmée."))
            return redirect("visio:detail", created.pk)
    return render(request, "visio/form.html", {"form": form, "configured": configured})


def _input(form: VirtualClassForm) -> actions.VirtualClassInput:
    data = form.cleaned_data
    return actions.VirtualClassInput(
        group_id=data["group"],
        title=data["title"],
        starts_at=form.moment("start"),
        ends_at=form.moment("end"),
        recording_allowed=data["recording_allowed"],
        course_id=data["course"],
        lesson_date=data["lesson_date"],
    )


def _refused(form: VirtualClassForm, refusal: Refused) -> None:
    field = {"ends_at": "end"}.get(refusal.field or "", refusal.field)
    form.add_error(field if field in form.fields else None, str(refusal))


@login_required
@never_cache
def edit(request, class_id: int):
    virtual_class = access.class_or_404(request.user, class_id)
    if not access.can_manage(request.user, virtual_class):
        raise Http404
    groups = list(access.taught_groups(request.user).order_by("name").values_list("pk", "name"))
    start, end = timezone.localtime(virtual_class.starts_at), timezone.localtime(virtual_class.ends_at)
    initial = {
        "title": virtual_class.title,
        "group": virtual_class.group_id,
        "day": start.date(),
        "start": start.time().replace(second=0, microsecond=0),
        "end": end.time().replace(second=0, microsecond=0),
        "recording_allowed": virtual_class.recording_allowed,
    }
    form = VirtualClassForm(request.POST or None, initial=initial, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change(request.user, virtual_class, _input(form))
        except Refused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("La classe virtuelle est modifiée."))
            return redirect("visio:detail", virtual_class.pk)
    return render(request, "visio/form.html", {"form": form, "configured": True, "vc": virtual_class})


@login_required
@never_cache
def detail(request, class_id: int):
    virtual_class = access.class_or_404(request.user, class_id)
    now = timezone.now()
    moderator = access.is_moderator(request.user, virtual_class)
    info = None
    if moderator and bbb.configured() and virtual_class.opened_at and virtual_class.ended_at is None:
        try:
            info = bbb.meeting_info(virtual_class.meeting_id)
        except (bbb.Unavailable, bbb.Failed):
            info = None
    response = render(
        request,
        "visio/detail.html",
        {
            "vc": virtual_class,
            "configured": bbb.configured(),
            "moderator": moderator,
            "joins": access.may_join_some_day(request.user, virtual_class),
            "can_join": access.can_join(request.user, virtual_class, now),
            "over": virtual_class.is_over(now),
            "opens_at": virtual_class.opens_at(settings.BBB_OPEN_MINUTES_BEFORE),
            "info": info,
        },
    )
    return _joining_allowed(request, response)


def _back(virtual_class: VirtualClass):
    return redirect("visio:detail", virtual_class.pk)


@login_required
@require_POST
def join(request, class_id: int):
    virtual_class = access.class_or_404(request.user, class_id)
    if not access.may_join_some_day(request.user, virtual_class):
        raise Http404  # a guardian's forged request: the page offers them no button
    try:
        url = actions.join(
            request.user,
            virtual_class,
            logout_url=request.build_absolute_uri(reverse("visio:detail", args=[virtual_class.pk])),
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
        return _back(virtual_class)
    return HttpResponseRedirect(url)


@login_required
@require_POST
def end(request, class_id: int):
    virtual_class = access.class_or_404(request.user, class_id)
    if not access.can_manage(request.user, virtual_class):
        raise Http404
    try:
        actions.end(request.user, virtual_class)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("La classe virtuelle est terminée."))
    return _back(virtual_class)


@login_required
@require_POST
def cancel(request, class_id: int):
    virtual_class = access.class_or_404(request.user, class_id)
    if not access.can_manage(request.user, virtual_class):
        raise Http404
    actions.cancel(request.user, virtual_class)
    messages.success(request, _("La classe virtuelle est annulée."))
    return redirect("visio:index")
