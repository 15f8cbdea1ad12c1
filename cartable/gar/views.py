"""The console page of the GAR's responsables d'affectation: the school's ADML (or the platform admin) names,
among the school's staff, those who assign the GAR's resources; anyone else gets 404
(cartable.console.decorators.console_view)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.console.decorators import console_view
from cartable.gar import access, actions
from cartable.gar.forms import ManagerForm
from cartable.lib.errors import Refused


@console_view
def managers(request, school):
    current = list(access.managers_of(school))
    named = {manager.person_id for manager in current}
    staff = [
        person
        for person in access.staff_of(school).order_by("last_name", "first_name")
        if person.pk not in named
    ]
    form = ManagerForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        person = access.staff_member_of_school_or_404(school, form.cleaned_data["person"])
        try:
            actions.add_assignment_manager(request.user, school, person)
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(
                request, _("%(name)s est responsable d’affectation GAR.") % {"name": person.full_name}
            )
            return redirect("gar:managers", uai=school.uai)
    return render(request, "gar/managers.html", {"school": school, "managers": current, "form": form})


@require_POST
@console_view
def manager_remove(request, school, manager_id):
    manager = access.manager_of_school_or_404(school, manager_id)
    actions.remove_assignment_manager(request.user, school, manager)
    messages.success(
        request, _("%(name)s n’est plus responsable d’affectation GAR.") % {"name": manager.person.full_name}
    )
    return redirect("gar:managers", uai=school.uai)
