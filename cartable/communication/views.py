"""Console pages of the communication rules: the matrix, the "can A write to B" checker and the kill-switches
(one school, or the whole platform for the platform admin).

Same guards as every console page (cartable.console.decorators.console_view): the school's ADML or the
platform admin, with their second factor; anyone else gets 404. The school's kill-switch is also open to its
direction and vie scolaire, who handle the incidents (cartable.access.policy.may_pause_messaging)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cartable.access import policy
from cartable.communication import actions
from cartable.communication import rules as communication
from cartable.communication.forms import ProfileChoiceForm
from cartable.communication.models import Audience, CommunicationChange, Scope, SendingPause
from cartable.communication.rules import ALL_CELLS, CLASS_AUDIENCES, Cell
from cartable.console.access import people_of
from cartable.console.decorators import console_view
from cartable.directory.models import Membership, Person, Profile
from cartable.lib.params import optional_int_or_404

PICKER_SIZE = 20
SWITCH_CHANGES = (CommunicationChange.Kind.PAUSED, CommunicationChange.Kind.RESUMED)


# --- The matrix ------------------------------------------------------------------------------------------


def _cell_name(cell: Cell) -> str:
    return ":".join(cell)


def _matrix(allowed: frozenset[Cell]):
    """[(profile, label, [(audience, label, [(scope, label, checkbox name or None, checked)])])]: a cell
    without a checkbox is a scope that does not apply (the direction is not part of a class)."""
    tables = []
    for profile, profile_label in Profile.choices:
        rows = []
        for audience, audience_label in Audience.choices:
            cells = []
            for scope, scope_label in Scope.choices:
                cell = (profile, audience, scope)
                offered = scope != Scope.CLASS or audience in CLASS_AUDIENCES
                cells.append((scope, scope_label, _cell_name(cell) if offered else None, cell in allowed))
            rows.append((audience, audience_label, cells))
        tables.append((profile, profile_label, rows))
    return tables


@console_view
def rules(request, school):
    if request.method == "POST":
        if request.POST.get("defaults"):
            actions.reset_rules(request.user, school)
            messages.success(request, _("Les règles par défaut s’appliquent de nouveau."))
        else:
            ticked = {cell for cell in ALL_CELLS if _cell_name(cell) in request.POST}
            actions.save_rules(request.user, school, ticked)
            messages.success(
                request, _("Les règles de communication sont enregistrées. Elles s’appliquent tout de suite.")
            )
        return redirect("communication:rules", uai=school.uai)
    context = {
        "school": school,
        "tables": _matrix(communication.rules_of(school)),
        # Short column headings so that the table fits a phone; each checkbox carries the full words.
        "scopes": [
            (_("Classe"), _("Dans la classe")),
            (_("Étab."), _("Dans l’établissement")),
            (_("Autres étab."), _("Dans les autres établissements")),
        ],
        "is_default": communication.is_default(school),
        "changes": communication.recent_changes(school),
    }
    return render(request, "communication/rules.html", context)


# --- The checker -----------------------------------------------------------------------------------------


def _search(school, query: str) -> list[Person]:
    people = people_of(school).filter(left_at__isnull=True)
    words = query.split()
    if not words:
        return []
    for word in words:
        people = people.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(user__username__icontains=word)
        )
    return list(people.order_by("last_name", "first_name", "pk")[:PICKER_SIZE])


def _chosen(school, value: str) -> Person | None:
    person_id = optional_int_or_404(value)
    if person_id is None:
        return None
    return people_of(school).select_related("user").filter(pk=person_id).first()


def _profiles_here(school, people: list[Person]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not people:
        return found
    rows = Membership.objects.filter(school=school, person__in=people).values_list("person_id", "profile")
    for person_id, profile in rows:
        found.setdefault(person_id, []).append(str(Profile(profile).label))
    return found


def _picker(school, key: str, query: str, chosen: Person | None) -> dict:
    options = _search(school, query)
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    profiles = _profiles_here(school, options)
    return {
        "key": key,
        "query": query,
        "chosen_id": chosen.pk if chosen else None,
        "options": [(p, ", ".join(profiles.get(p.pk, []))) for p in options],
        "searched": bool(query.strip()),
    }


@console_view
def checker(request, school):
    writer = _chosen(school, request.GET.get("a", ""))
    target = _chosen(school, request.GET.get("b", ""))
    pickers = {
        "a": _picker(school, "a", request.GET.get("qa", ""), writer),
        "b": _picker(school, "b", request.GET.get("qb", ""), target),
    }
    if request.htmx and request.GET.get("picker") in pickers:
        return render(
            request,
            "communication/checker.html#picker",
            {"school": school, "picker": pickers[request.GET["picker"]]},
        )
    context: dict = {"school": school, "picker_a": pickers["a"], "picker_b": pickers["b"]}
    if writer is not None and target is not None:
        context.update(
            writer=writer,
            target=target,
            verdict=communication.can_write(writer.user, target),
            reverse_verdict=communication.can_write(target.user, writer),
            sending=communication.may_send(writer.user),
        )
    return render(request, "communication/checker.html", context)


# --- Kill-switches ---------------------------------------------------------------------------------------


def _switch_rows(pauses: dict[str, SendingPause]):
    return [(profile, label, pauses.get(profile)) for profile, label in Profile.choices]


def _school_switch_context(request, school) -> dict:
    """The direction and vie scolaire reach the kill-switch outside the console: no console menu for them, and
    of the console's traces only the switches'."""
    is_admin = policy.admin_of(request.user, school)
    return {
        "school": school,
        "is_admin": is_admin,
        "layout": "console/layout.html" if is_admin else "communication/staff_layout.html",
        "changes": communication.recent_changes(school, None if is_admin else SWITCH_CHANGES),
    }


def _switch(request, school, back: str, template: str, context: dict):
    """POST of a kill-switch button: first a confirmation page, then the change."""
    form = ProfileChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un profil."))
        return redirect(back)
    profile, action = form.cleaned_data["profile"], form.cleaned_data["action"]
    label = Profile(profile).label
    if not request.POST.get("confirm"):
        context.update(profile=profile, profile_label=label, action=action, back=back)
        return render(request, template, context)
    if action == "pause":
        actions.pause_sending(request.user, school, profile)
        messages.success(
            request,
            _("L’envoi de messages est coupé pour le profil %(profile)s, dès maintenant.")
            % {"profile": label},
        )
    else:
        actions.resume_sending(request.user, school, profile)
        messages.success(
            request, _("Le profil %(profile)s peut de nouveau envoyer des messages.") % {"profile": label}
        )
    return redirect(back)


# The school's ENT admin, and its direction and vie scolaire (policy.may_pause_messaging).
@partial(console_view, allowed=policy.may_pause_messaging)
def kill_switch(request, school):
    back = reverse("communication:kill_switch", args=[school.uai])
    context = _school_switch_context(request, school)
    if request.method == "POST":
        return _switch(request, school, back, "communication/switch_confirm.html", context)
    context |= {
        "rows": _switch_rows(communication.active_pauses(school)),
        "platform": list(communication.active_pauses(None).values()),
        "is_platform_admin": policy.is_platform_admin(request.user),
    }
    return render(request, "communication/kill_switch.html", context)


def _platform_view(view):
    """The platform admin only (else 404), with their second factor."""

    @login_required
    @never_cache
    def wrapper(request, *args, **kwargs):
        if not policy.is_platform_admin(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_platform_view
def platform(request):
    back = reverse("communication:platform")
    if request.method == "POST":
        return _switch(request, None, back, "communication/platform_confirm.html", {})
    paused_schools = SendingPause.objects.filter(school__isnull=False).select_related("school", "by")
    context = {
        "rows": _switch_rows(communication.active_pauses(None)),
        "paused_schools": paused_schools.order_by("school__name", "profile"),
        "changes": communication.recent_changes(None),
    }
    return render(request, "communication/platform.html", context)
