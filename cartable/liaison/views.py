"""Pages of the cahier de liaison. Thin: parse, ask access/queries, call an action, render."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.communication import rules as communication
from cartable.directory.models import Person
from cartable.directory.queries import home_facts
from cartable.files.serving import file_response
from cartable.liaison import access, actions, queries
from cartable.liaison.forms import FamilyMotForm, MotForm, SignForm
from cartable.liaison.models import FamilyMot, Mot, MotPupil
from cartable.lib.errors import Refused
from cartable.lib.params import parse_int, valid_ints
from cartable.lib.pdf import render_pdf
from cartable.portal.children import children_for_page, selected_child_id

RECENT = 30


@login_required
def index(request):
    viewer = policy.viewer_for(request.user)
    if not (viewer.child_ids or access.may_write(request.user) or viewer.taught_group_ids):
        raise Http404  # pupils and staff without a class: the cahier de liaison is not theirs
    # A guardian's children whose school keeps the cahier de liaison for families; ?enfant= chooses one.
    children = children_for_page(request, home_facts(request.user).children) if viewer.child_ids else []
    child_id = selected_child_id(request, [c.pk for c in children], first_by_default=False)
    child_ids = [child_id] if child_id is not None else [c.pk for c in children]
    children_mots: list[Mot] = []
    to_sign: list[MotPupil] = []
    if child_ids:
        children_mots = list(
            Mot.objects.filter(
                pk__in=MotPupil.objects.filter(pupil_id__in=child_ids).values("mot_id")
            ).select_related("author")[:RECENT]
        )
        to_sign = [row for row in queries.to_sign(request.user) if row.pupil_id in child_ids]
    writes = access.may_write(request.user)
    mine = (
        list(Mot.objects.filter(author_id=viewer.person_id).order_by("-created_at")[:RECENT])
        if writes
        else []
    )
    schools = access.school_wide_schools(request.user)
    school_mots = (
        list(
            Mot.objects.filter(school_id__in=schools)
            .exclude(author_id=viewer.person_id)
            .select_related("author")[:RECENT]
        )
        if schools
        else []
    )
    family = list(
        access.family_mots_visible_to(request.user).select_related("author", "pupil", "teacher")[:RECENT]
    )
    return render(
        request,
        "liaison/index.html",
        {
            "children": children,
            "child_id": child_id,
            "to_sign": to_sign,
            "children_mots": children_mots,
            "writes": writes,
            "mine": mine,
            "school_mots": school_mots,
            "family": family,
            "is_guardian": bool(children),
            "person_id": viewer.person_id,
        },
    )


def _mot_form_choices(user) -> tuple[list[tuple[int, str]], list[tuple[str, list]]]:
    """The writer's classes and groups, and their pupils by class (two queries)."""
    groups = list(access.writable_groups(user).order_by("kind", "name").values_list("pk", "name"))
    by_group: dict[str, list[tuple[str, str]]] = {}
    rows = (
        current_enrolments()
        .filter(group__in=access.writable_groups(user), student__left_at__isnull=True)
        .order_by("group__kind", "group__name", "student__last_name", "student__first_name")
        .values_list("group__name", "student_id", "student__last_name", "student__first_name")
    )
    for group_name, pupil_id, last, first in rows:
        by_group.setdefault(group_name, []).append((str(pupil_id), f"{last} {first}"))
    return groups, list(by_group.items())


def _mot_input(form: MotForm, **audience: Any) -> actions.MotInput:
    """What the author typed (a new mot adds its audience, an edit the files to remove)."""
    data = form.cleaned_data
    return actions.MotInput(
        title=data["title"],
        body=data["body"],
        request=data["request"],
        question=data["question"],
        choices=form.choice_list(),
        allow_comment=data["allow_comment"],
        both_guardians=data["both_guardians"],
        deadline=data["deadline"],
        files=data["attachments"],
        **audience,
    )


@login_required
def mot_new(request):
    if not access.may_write(request.user):
        raise Http404
    groups, pupils = _mot_form_choices(request.user)
    form = MotForm(request.POST or None, request.FILES or None, groups=groups, pupils=pupils)
    if request.method == "POST" and form.is_valid():
        try:
            mot = actions.send_mot(
                request.user, _mot_input(form, group_ids=form.group_ids(), pupil_id=form.pupil_id())
            )
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, _("Le mot est envoyé aux familles."))
            return redirect("liaison:mot", mot_id=mot.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "liaison/mot_form.html", {"form": form}, status=status)


@login_required
def mot_edit(request, mot_id: int):
    """Its author corrects a mot until a family signs or replies (then: the reason, and back to the mot)."""
    found = access.editable_mot_or_404(request.user, mot_id)
    if not access.can_edit(request.user, found):
        messages.error(request, str(actions.EDIT_REFUSED))
        return redirect("liaison:mot", mot_id=found.pk)
    initial = {
        "title": found.title,
        "body": found.body,
        "request": found.request,
        "question": found.question,
        "choices": "\n".join(found.choices) if found.choices else "Oui\nNon",
        "allow_comment": found.allow_comment,
        "both_guardians": found.both_guardians,
        "deadline": found.deadline,
    }
    form = MotForm(request.POST or None, request.FILES or None, initial=initial)
    attachments = list(found.attachments.all())
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_mot(
                request.user,
                found,
                _mot_input(form, remove_attachments=valid_ints(request.POST.getlist("remove_attachment"))),
            )
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, _("Le mot est modifié."))
            return redirect("liaison:mot", mot_id=found.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "liaison/mot_form.html",
        {"form": form, "mot": found, "attachments": attachments},
        status=status,
    )


@login_required
def attachment(request, attachment_id: int):
    found = access.attachment_or_404(request.user, attachment_id)
    return file_response(request, found.stored, found.name)


@login_required
def mot(request, mot_id: int):
    return _mot_page(request, access.mot_or_404(request.user, mot_id))


def _mot_page(request, found: Mot, error: str = "", status: int = 200):
    manages = access.manages(request.user, found)
    context: dict[str, Any] = {
        "mot": found,
        "manages": manages,
        "open": found.is_open(),
        "error": error,
        "attachments": list(found.attachments.select_related("stored")),
    }
    if manages:
        context["table"] = queries.table(found)
        # can_edit's rule, read from the table the page has (every signature is in it): no query more.
        context["editable"] = found.author_id == policy.viewer_for(request.user).person_id and not any(
            line.signatures for line in context["table"].lines
        )
        if request.htmx and request.GET.get("partiel") == "tableau":
            return render(request, "liaison/mot.html#table", context)
    children = access.children_concerned(request.user, found)
    if children:
        family = queries.table(found, [row.pupil_id for row in children])
        me = policy.viewer_for(request.user).person_id
        context["children"] = [
            (line, next((s for s in line.signatures if s.guardian_id == me), None)) for line in family.lines
        ]
    return render(request, "liaison/mot.html", context, status=status)


@login_required
@require_POST
def sign(request, mot_id: int):
    found = access.mot_or_404(request.user, mot_id)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _mot_page(request, found, _("Le formulaire est incomplet."), status=400)
    try:
        actions.sign(
            request.user,
            found,
            form.cleaned_data["pupil"],
            form.cleaned_data["choice"],
            form.cleaned_data["comment"],
        )
    except Refused as refusal:
        return _mot_page(request, found, str(refusal), status=400)
    messages.success(
        request, _("Merci, c'est signé.") if not found.is_reply else _("Merci, votre réponse est notée.")
    )
    return redirect("liaison:mot", mot_id=found.pk)


@login_required
@require_POST
def remind(request, mot_id: int):
    found = access.managed_mot_or_404(request.user, mot_id)
    try:
        count = actions.remind(request.user, found)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            ngettext(
                "Rappel envoyé au responsable qui n'a pas encore signé.",
                "Rappel envoyé aux %(count)s responsables qui n'ont pas encore signé.",
                count,
            )
            % {"count": count},
        )
    return redirect("liaison:mot", mot_id=found.pk)


def _spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (a comment typed by a family) is quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


@login_required
def replies_csv(request, mot_id: int):
    found = access.managed_mot_or_404(request.user, mot_id)
    table = queries.table(found)
    out = io.StringIO()
    # Semicolons and a BOM: what a French spreadsheet opens with its accents and columns right.
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [_("Classe"), _("Élève"), _("Responsable"), _("Signé"), _("Réponse"), _("Commentaire"), _("Date")]
    )
    for line in table.lines:
        pupil = f"{line.pupil.last_name} {line.pupil.first_name}"
        guardians: list[queries.GuardianLine | None] = list(line.guardians) or [None]
        for guardian in guardians:
            signature = guardian.signature if guardian is not None else None
            writer.writerow(
                [
                    line.group_name,
                    _spreadsheet_safe(pupil),
                    _spreadsheet_safe(guardian.person.full_name) if guardian is not None else "",
                    _("oui") if signature is not None else _("non"),
                    _spreadsheet_safe(signature.choice) if signature is not None else "",
                    _spreadsheet_safe(signature.comment) if signature is not None else "",
                    timezone.localtime(signature.signed_at).strftime("%d/%m/%Y %H:%M") if signature else "",
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stem = slugify(found.title)[:40] or "mot"
    response["Content-Disposition"] = f'attachment; filename="reponses-{stem}-{found.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def slips_pdf(request, mot_id: int):
    """The mot on paper, one slip per pupil (only those whose family has not signed, unless ?tous=1), to
    hand to families without an account."""
    found = access.managed_mot_or_404(request.user, mot_id)
    lines = queries.table(found).lines
    if request.GET.get("tous") != "1":
        lines = [line for line in lines if not line.done] if found.asks else lines
    pdf = render_pdf("liaison/slips_pdf.html", {"mot": found, "lines": lines, "school": found.school})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mot-{found.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- Families' mots to a teacher -------------------------------------------------------------------


@login_required
def family_mot_new(request):
    viewer = policy.viewer_for(request.user)
    if not viewer.child_ids:
        raise Http404
    children = list(
        Person.objects.filter(pk__in=viewer.child_ids, left_at__isnull=True)
        .order_by("first_name", "pk")
        .values_list("pk", "first_name")
    )
    if not children:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    child_id = parse_int(source.get("pupil") or source.get("enfant") or "")
    if child_id not in {pk for pk, _n in children}:
        child_id = children[0][0]
    candidates = list(access.teachers_of_child(child_id))
    reachable = communication.writable_among(request.user, [t.pk for t in candidates])
    teachers = [(t.pk, t.full_name) for t in candidates if t.pk in reachable]
    form = FamilyMotForm(
        request.POST if request.method == "POST" else None,
        children=children,
        teachers=teachers,
        initial={"pupil": str(child_id)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            found = actions.write_family_mot(
                request.user,
                child_id,
                parse_int(form.cleaned_data["teacher"]) or 0,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
            )
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, _("Le mot est envoyé à l'enseignant."))
            return redirect("liaison:family_mot", mot_id=found.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "liaison/family_mot_form.html",
        {"form": form, "children": children, "child_id": child_id, "teachers": teachers},
        status=status,
    )


@login_required
def family_mot(request, mot_id: int):
    found: FamilyMot = access.family_mot_or_404(request.user, mot_id)
    is_teacher = found.teacher_id == policy.viewer_for(request.user).person_id
    return render(request, "liaison/family_mot.html", {"found": found, "is_teacher": is_teacher})


@login_required
@require_POST
def acknowledge(request, mot_id: int):
    found = access.family_mot_or_404(request.user, mot_id)
    try:
        actions.acknowledge(request.user, found)
    except Refused:
        raise Http404 from None
    messages.success(request, _("La famille est prévenue que vous avez lu son mot."))
    return redirect("liaison:family_mot", mot_id=found.pk)
