"""Pupils' accounts. The teacher of an école class looks after them: a new password (and so a new card) for a
pupil who forgot theirs, and the class's cards to print. Not in the ADML console: a teacher page reached
from the "Mes classes" widget. Who may do what is in cartable.console.access (teaches_primary_class,
pupils_the_teacher_may_manage); every write goes through cartable.console.actions and is traced."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cartable.accounts.models import User
from cartable.communication.rules import recent_changes
from cartable.console import actions, letters
from cartable.console.access import (
    manageable_accounts,
    pupil_of_class_or_404,
    pupils_of,
    pupils_of_class,
    pupils_the_teacher_may_manage,
    taught_primary_class_or_404,
)
from cartable.console.decorators import console_view
from cartable.console.forms import PupilsResetForm
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


# --- The ADML's bulk reset, after hijacked pupil accounts (a console page) ------------------------------


@console_view
def pupils_reset(request, school):
    form = PupilsResetForm(school, request.POST if request.method == "POST" else None)
    context: dict = {"school": school, "form": form, "changes": recent_changes(school)}
    if request.method != "POST":
        return render(request, "console/pupils_reset.html", context)
    if not form.is_valid():
        return render(request, "console/pupils_reset.html", context, status=400)
    group = form.group()
    if not request.POST.get("confirm"):
        pupils = pupils_of(school)
        if group is not None:
            pupils = pupils.filter(enrolments__group=group)
        users = list(User.objects.filter(pk__in=pupils.values("user_id")))
        reset = {user.pk for user in manageable_accounts(request.user, users)}
        # Pupils whose account also reaches a school the admin does not administer are left alone.
        elsewhere = Person.objects.filter(user__in=[u for u in users if u.pk not in reset]).order_by(
            "last_name", "first_name"
        )
        context.update(group=group, count=len(reset), elsewhere=elsewhere, confirming=True)
        return render(request, "console/pupils_reset.html", context)
    done = actions.reset_pupil_passwords(request.user, school, group)
    if done.skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)s compte n’a pas été réinitialisé : c’est le vôtre, ou il est rattaché aussi à un "
                "établissement que vous n’administrez pas.",
                "%(count)s comptes n’ont pas été réinitialisés : le vôtre, ou des comptes rattachés aussi à "
                "un établissement que vous n’administrez pas.",
                done.skipped,
            )
            % {"count": done.skipped},
        )
    messages.success(
        request,
        ngettext(
            "%(count)s compte d’élève a un nouveau code d’activation : son mot de passe ne fonctionne "
            "plus et il a été déconnecté. Imprimez maintenant sa lettre d’activation.",
            "%(count)s comptes d’élèves ont un nouveau code d’activation : leurs mots de passe ne "
            "fonctionnent plus et ils ont été déconnectés. Imprimez maintenant leurs lettres d’activation.",
            done.reset,
        )
        % {"count": done.reset},
    )
    letters = reverse("console:letters", args=[school.uai])
    return redirect(f"{letters}?classe={group.pk}" if group is not None else letters)
