"""The console page of the GAR's responsables d'affectation: the school's ADML (or the platform admin) names,
among the school's staff, those who assign the GAR's resources; anyone else gets 404
(cartable.console.decorators.console_view). The Médiacentre: a person's resources, their favourites, and the
pages where the school's documentalist, direction and ADML keep its own links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.console.decorators import console_view
from cartable.gar import access, actions
from cartable.gar.forms import LinkForm, ManagerForm, SearchForm
from cartable.gar.mediacentre import SCHOOL_LINKS, gar_resource_or_none, shelf_for
from cartable.gar.models import MEDIACENTRE_PROFILES
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


# --- The Médiacentre ----------------------------------------------------------------------------------------


def _mediacentre_or_404(request) -> None:
    if not access.uses_mediacentre(request.user):
        raise Http404


@login_required
def mediacentre(request):
    _mediacentre_or_404(request)
    # Read as typed: the type's choices are known only once the lists are read.
    query = request.GET.get("q", "")[:200]
    type_code = request.GET.get("type", "")[:40]
    favourites_only = request.GET.get("favourites") == "on"
    shelf = shelf_for(request.user, query, type_code, favourites_only)
    types = [*shelf.types, (SCHOOL_LINKS, _("Liens de l’établissement"))]
    form = SearchForm(request.GET or None, types=types)
    form.is_valid()
    keeping = [school for school in shelf.schools if access.can_keep_links(request.user, school)]
    response = render(
        request,
        "gar/mediacentre.html",
        {
            "shelf": shelf,
            "form": form,
            "searching": bool(query or type_code or favourites_only),
            "keeping": keeping,
            "back": request.GET.urlencode(),
        },
    )
    origins = shelf.thumbnail_origins()
    if origins:
        # The GAR's thumbnails are served by the GAR: let exactly their hosts in.
        config: dict[str, Any] = dict(settings.SECURE_CSP)
        config["img-src"] = [*config["img-src"], *origins]
        # Read by Django's CSP middleware, as its csp_override decorator sets it.
        response._csp_config = config  # type: ignore[attr-defined]
    return response


def _favourite_said(request, now: bool, name: str):
    if now:
        messages.success(request, _("« %(name)s » est dans vos favoris.") % {"name": name})
    else:
        messages.success(request, _("« %(name)s » n’est plus dans vos favoris.") % {"name": name})
    back = QueryDict(request.POST.get("back", "")).urlencode()  # only a query string of the index
    url = reverse("mediacentre:index")
    return redirect(f"{url}?{back}" if back else url)


@require_POST
@login_required
def favourite_link(request, link_id):
    _mediacentre_or_404(request)
    link = access.visible_link_or_404(request.user, link_id)
    return _favourite_said(
        request, actions.toggle_favourite(request.user, link.school, link=link), link.title
    )


@require_POST
@login_required
def favourite_resource(request, uai, resource_id):
    _mediacentre_or_404(request)
    school = access.mediacentre_school_or_404(request.user, uai)
    key = resource_id[:255]
    resource = gar_resource_or_none(request.user, school, key)
    if (
        resource is None
        and not access.favourites_of(request.user).filter(school=school, resource_id=key).exists()
    ):
        raise Http404  # not in the person's list, and not a favourite of theirs to take back
    now = actions.toggle_favourite(request.user, school, resource_id=key)
    return _favourite_said(request, now, resource.name if resource else key)


@login_required
def links(request, uai):
    school = access.link_keeping_school_or_404(request.user, uai)
    return render(
        request,
        "gar/links.html",
        {"school": school, "links": list(access.links_of(school).order_by("title", "pk"))},
    )


def _link_form_page(request, school, link=None):
    initial = (
        {"title": link.title, "url": link.url, "description": link.description, "profiles": link.profiles}
        if link
        else {"profiles": list(MEDIACENTRE_PROFILES)}
    )
    form = LinkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_link(
                request.user,
                school,
                actions.LinkInput(data["title"], data["url"], data["description"], tuple(data["profiles"])),
                link,
            )
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, _("Le lien « %(title)s » est enregistré.") % {"title": data["title"]})
            return redirect("mediacentre:links", uai=school.uai)
    return render(request, "gar/link_form.html", {"school": school, "form": form, "link": link})


@login_required
def link_new(request, uai):
    return _link_form_page(request, access.link_keeping_school_or_404(request.user, uai))


@login_required
def link_edit(request, uai, link_id):
    school = access.link_keeping_school_or_404(request.user, uai)
    return _link_form_page(request, school, access.link_of_school_or_404(school, link_id))


@require_POST
@login_required
def link_delete(request, uai, link_id):
    school = access.link_keeping_school_or_404(request.user, uai)
    link = access.link_of_school_or_404(school, link_id)
    actions.delete_link(request.user, link)
    messages.success(request, _("Le lien « %(title)s » est supprimé.") % {"title": link.title})
    return redirect("mediacentre:links", uai=school.uai)
