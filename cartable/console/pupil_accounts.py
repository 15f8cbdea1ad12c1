"""The teacher of an école class looks after the pupils' accounts: a new password (and so a new card) for a
pupil who forgot theirs, and the class's cards to print. Not in the ADML console: a teacher page reached
from the "Mes classes" widget. Who may do what is in cartable.console.access (teaches_primary_class,
pupils_the_teacher_may_manage); every write goes through cartable.console.actions and is traced."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cartable.console import actions, letters
from cartable.console.access import (
    pupil_of_class_or_404,
    pupils_of_class,
    pupils_the_teacher_may_manage,
    taught_primary_class_or_404,
)
from cartable.directory.models import Person


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows(pupils: list[Person], manageable: set[int]) -> list[dict]:
    return [
        {
            "pupil": pupil,
            "manageable": pupil.pk in manageable,
            "blocked": pupil.user.is_blocked,
            "activated": pupil.user.is_activated,
        }
        for pupil in pupils
    ]


@login_required
@never_cache  # the page lists pupils and their account state
def class_page(request, group_id: int):
    group = taught_primary_class_or_404(request.user, group_id)
    pupils = list(pupils_of_class(group))
    manageable = {p.pk for p in pupils_the_teacher_may_manage(request.user, group, pupils)}
    rows = _rows(pupils, manageable)
    waiting = [row for row in rows if row["manageable"] and not row["activated"]]
    return render(
        request,
        "console/pupil_accounts.html",
        {"group": group, "rows": rows, "waiting": len(waiting), "manageable": len(manageable)},
    )


@login_required
@never_cache
def reset_password(request, group_id: int, person_id: int):
    """GET asks for confirmation, POST resets: the pupil's card is then printed from the class page."""
    group = taught_primary_class_or_404(request.user, group_id)
    pupil = pupil_of_class_or_404(group, person_id)
    if not pupils_the_teacher_may_manage(request.user, group, [pupil]):
        messages.error(request, cannot_manage_message(pupil))
        return redirect("pupil_accounts:class", group_id=group.pk)
    if request.method != "POST":
        return render(request, "console/pupil_reset_confirm.html", {"group": group, "pupil": pupil})
    actions.reset_pupil_password_by_teacher(request.user, group, pupil)
    messages.success(
        request,
        _("Le mot de passe de %(name)s est réinitialisé. Imprimez sa nouvelle carte ci-dessous.")
        % {"name": pupil.full_name},
    )
    return redirect("pupil_accounts:class", group_id=group.pk)


def cannot_manage_message(pupil: Person) -> str:
    if pupil.user.is_blocked:
        return _(
            "Le compte de %(name)s est bloqué : seul l'administrateur ENT de l'école peut le débloquer."
        ) % {"name": pupil.full_name}
    return _(
        "Le compte de %(name)s est aussi rattaché à un autre établissement ou à un autre profil : "
        "demandez à l'administrateur ENT de l'école."
    ) % {"name": pupil.full_name}


@require_POST
@login_required
@never_cache
def print_cards(request, group_id: int):
    """The cards of the pupils without a password (new, or reset), or of one pupil (`eleve`); with `tous`,
    every pupil of the class the teacher may manage is reset first. Each card carries a NEW code."""
    group = taught_primary_class_or_404(request.user, group_id)
    pupils = list(pupils_of_class(group))
    one = request.POST.get("eleve", "")
    if one:
        pupils = [pupil_of_class_or_404(group, one)]
    elif request.POST.get("tous") == "1":
        actions.reset_class_passwords_by_teacher(request.user, group, pupils)
    cards = letters.pupil_cards(request.user, group, pupils)
    if not cards:
        messages.info(
            request, _("Aucune carte à imprimer : tous ces élèves ont déjà choisi leur mot de passe.")
        )
        return redirect("pupil_accounts:class", group_id=group.pk)
    pupil = pupils[0] if one else None
    return _pdf(letters.pupil_cards_pdf(group.school, cards), letters.cards_filename(group, pupil))
