"""The school admin console (ADML, and the platform admin above schools). Views are thin: parse, call an
action or a query from console.access, render. Every view answers 404 outside the schools one administers."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cartable.access import policy
from cartable.accounts.mfa import staff_mfa_required
from cartable.accounts.models import LoginEvent
from cartable.console import actions, letters
from cartable.console.access import (
    administered_school_or_404,
    can_manage_account,
    class_of_school_or_404,
    correction_request_or_404,
    current_classes_of,
    people_of,
    person_of_school_or_404,
    pupils_of,
)
from cartable.console.forms import (
    CorrectionAnswerForm,
    NewPersonForm,
    PeopleSearchForm,
    SchoolSettingsForm,
    SchoolYearForm,
)
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory.actions import NewPerson
from cartable.directory.models import Enrolment, Guardianship, Membership, Person, Profile, School, SchoolYear
from cartable.portal.models import AppSwitch, CorrectionRequest
from cartable.portal.registry import registry

PAGE_SIZE = 50
LOGIN_HISTORY_PAGE_SIZE = 50
# The clear activation code just made, kept in the session until the next page has shown it once.
FRESH_CODE_KEY = "console_fresh_code"


def console_view(view, allowed: Callable[[Any, School], bool] = policy.admin_of):
    """Logged in, administering the school named in the URL (else 404), then the second factor (rule C6).
    A console page some other staff may use too passes the policy's check for it as `allowed`.

    The school is checked before the second factor so that a non-admin is never sent to the second-factor
    step by a console URL: they simply get "not found"."""
    guarded = staff_mfa_required(view)

    @login_required
    @never_cache  # pages show people's data and activation codes: never kept by a browser or proxy cache
    @wraps(view)
    def wrapper(request, uai, *args, **kwargs):
        school = administered_school_or_404(request.user, uai, allowed)
        return guarded(request, school, *args, **kwargs)

    return wrapper


@login_required
def home(request):
    if not policy.schools_administered_by(request.user).exists():
        raise Http404
    return _choose_school(request)


@staff_mfa_required
def _choose_school(request):
    schools = policy.schools_administered_by(request.user).order_by("name")
    first_two = list(schools[:2])
    if len(first_two) == 1:
        return redirect("console:people", uai=first_two[0].uai)
    # The platform admin may have hundreds of schools: search by name, town or UAI.
    text = " ".join(request.GET.get("q", "").split())[:100]
    if text:
        schools = schools.filter(Q(name__icontains=text) | Q(city__icontains=text) | Q(uai__iexact=text))
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/home.html", {"page": page, "text": text})


@login_required
@never_cache
def school_year(request):
    """The yearly rollover for the platform admin (ADMC): the same action as `manage.py start_school_year`."""
    if not policy.is_platform_admin(request.user):
        raise Http404
    return _school_year(request)


@staff_mfa_required
def _school_year(request):
    current = SchoolYear.objects.filter(is_current=True).first()
    suggested = f"{current.start.year + 1}-{current.start.year + 2}" if current is not None else ""
    form = SchoolYearForm(request.POST or None, initial={"name": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            rollover = directory.start_school_year(form.cleaned_data["name"])
        except directory.SchoolYearError as error:
            form.add_error("name", str(error))
        else:
            if rollover.changed:
                messages.success(
                    request,
                    _("L’année %(name)s est désormais l’année en cours.") % {"name": rollover.year.name},
                )
            else:
                messages.info(
                    request,
                    _("L’année %(name)s est déjà l’année en cours : rien n’a changé.")
                    % {"name": rollover.year.name},
                )
            return redirect("console:school_year")
    return render(request, "console/school_year.html", {"form": form, "current": current})


@console_view
def school_home(request, school):
    return redirect("console:people", uai=school.uai)


# --- People ------------------------------------------------------------------------------------------


def search_people(school, form: PeopleSearchForm):
    people = people_of(school)
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            people = people.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(user__username__icontains=word)
            )
        if form.cleaned_data["classe"]:
            people = people.filter(enrolments__group=form.cleaned_data["classe"])
        if form.cleaned_data["profil"]:
            people = people.filter(
                pk__in=Membership.objects.filter(school=school, profile=form.cleaned_data["profil"]).values(
                    "person_id"
                )
            )
    return with_school_details(people, school).order_by("last_name", "first_name", "pk")


def with_school_details(people, school):
    """The account, the profiles held here and this year's classes here: three queries for a whole page."""
    return people.select_related("user").prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.filter(school=school), to_attr="school_memberships"
        ),
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(group__in=current_classes_of(school)).select_related("group"),
            to_attr="current_classes",
        ),
    )


@console_view
def people(request, school):
    form = PeopleSearchForm(school, request.GET or None)
    page = Paginator(search_people(school, form), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"school": school, "form": form, "page": page}
    if request.htmx and request.htmx.target == "people-results":
        return render(request, "console/people.html#results", context)
    return render(request, "console/people.html", context)


def _pop_fresh_code(request, person) -> str:
    fresh = request.session.get(FRESH_CODE_KEY)
    if fresh and fresh.get("person_id") == person.pk:
        del request.session[FRESH_CODE_KEY]
        return fresh["code"]
    return ""


def _remember_fresh_code(request, person, code: str) -> None:
    request.session[FRESH_CODE_KEY] = {"person_id": person.pk, "code": code}


def _related_people(person, school):
    """Guardians and children, limited to people of this school: another school's families are not ours."""
    members = Membership.objects.filter(school=school).values("person_id")
    guardians = (
        Guardianship.objects.filter(student=person, relative__in=members)
        .select_related("relative")
        .order_by("relative__last_name", "relative__first_name")
    )
    children = (
        Guardianship.objects.filter(relative=person, student__in=members)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    )
    return list(guardians), list(children)


def _admin_actions(person, school):
    # This school's actions only: what another school's admin did is that school's business.
    traces = AdminAction.objects.filter(target=person.user, school=school).select_related("actor")
    # Reads are listed apart, so that opening the page does not push the changes out of sight.
    return (
        traces.exclude(kind__in=actions.READ_KINDS)[:10],
        traces.filter(kind__in=actions.READ_KINDS)[:10],
    )


@console_view
def person_detail(request, school, person_id):
    person = with_school_details(people_of(school).filter(pk=person_id), school).first()
    if person is None:
        raise Http404
    actions.record_person_read(request.user, school, person.user, AdminAction.Kind.VIEW)
    guardians, children = _related_people(person, school)
    admin_actions, admin_reads = _admin_actions(person, school)
    context = {
        "school": school,
        "person": person,
        "guardians": guardians,
        "children": children,
        "logins": LoginEvent.objects.filter(user=person.user)[:10],
        "admin_actions": admin_actions,
        "admin_reads": admin_reads,
        "fresh_code": _pop_fresh_code(request, person),
        "can_manage": can_manage_account(request.user, person.user),
    }
    return render(request, "console/person_detail.html", context)


@console_view
def person_logins(request, school, person_id):
    person = person_of_school_or_404(school, person_id)
    actions.record_person_read(request.user, school, person.user, AdminAction.Kind.VIEW_LOGINS)
    page = Paginator(LoginEvent.objects.filter(user=person.user), LOGIN_HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "console/person_logins.html", {"school": school, "person": person, "page": page})


# --- Account actions: a GET shows what will happen, a POST does it -----------------------------------


def _account_action(request, school, person_id, *, confirm, act, done):
    person = person_of_school_or_404(school, person_id)
    if not can_manage_account(request.user, person.user):
        messages.error(
            request,
            _(
                "Vous ne pouvez pas modifier ce compte depuis la console : c'est le vôtre, "
                "ou il a des droits d'administration que vous n'avez pas."
            ),
        )
        return redirect("console:person", uai=school.uai, person_id=person.pk)
    if request.method != "POST":
        return render(request, "console/confirm.html", {"school": school, "person": person, **confirm})
    code = act(request.user, school, person.user)
    if code:
        _remember_fresh_code(request, person, code)
    messages.success(request, done)
    return redirect("console:person", uai=school.uai, person_id=person.pk)


@console_view
def person_block(request, school, person_id):
    return _account_action(
        request,
        school,
        person_id,
        confirm={
            "title": _("Bloquer le compte"),
            "explanation": _(
                "La personne sera déconnectée tout de suite et ne pourra plus se connecter "
                "tant que le compte restera bloqué."
            ),
            "button": _("Bloquer le compte"),
            "danger": True,
        },
        act=actions.block_account,
        done=_("Le compte est bloqué. La personne a été déconnectée."),
    )


@console_view
def person_objection(request, school, person_id):
    return _account_action(
        request,
        school,
        person_id,
        confirm={
            "title": _("Enregistrer l’opposition"),
            "explanation": _(
                "La personne ne veut pas que ses messages et publications restent après la fermeture de son "
                "compte : ils seront effacés avec ses données personnelles."
            ),
            "button": _("Enregistrer l’opposition"),
            "danger": True,
        },
        act=actions.record_objection,
        done=_("L’opposition est enregistrée : les contributions seront effacées avec le compte."),
    )


@console_view
def person_objection_withdraw(request, school, person_id):
    return _account_action(
        request,
        school,
        person_id,
        confirm={
            "title": _("Lever l’opposition"),
            "explanation": _(
                "Les messages et publications de la personne resteront après la fermeture de son compte, "
                "signés « Ancien compte »."
            ),
            "button": _("Lever l’opposition"),
            "danger": False,
        },
        act=actions.withdraw_objection,
        done=_("L’opposition est levée : les contributions resteront, signées « Ancien compte »."),
    )


@console_view
def person_unblock(request, school, person_id):
    return _account_action(
        request,
        school,
        person_id,
        confirm={
            "title": _("Débloquer le compte"),
            "explanation": _("La personne pourra de nouveau se connecter avec son mot de passe."),
            "button": _("Débloquer le compte"),
        },
        act=actions.unblock_account,
        done=_("Le compte est débloqué."),
    )


@console_view
def person_new_code(request, school, person_id):
    return _account_action(
        request,
        school,
        person_id,
        confirm={
            "title": _("Nouveau code d'activation"),
            "explanation": _(
                "Un nouveau code sera créé. L'ancien code, et toute lettre déjà imprimée, "
                "ne fonctionneront plus."
            ),
            "button": _("Créer un nouveau code"),
        },
        act=actions.new_activation_code,
        done=_("Un nouveau code d'activation a été créé."),
    )


@console_view
def person_reset_password(request, school, person_id):
    return _account_action(
        request,
        school,
        person_id,
        confirm={
            "title": _("Réinitialiser le mot de passe"),
            "explanation": _(
                "Le mot de passe actuel cessera de fonctionner et la personne sera déconnectée. "
                "Elle choisira un nouveau mot de passe avec le code d'activation que vous allez "
                "lui remettre."
            ),
            "button": _("Réinitialiser le mot de passe"),
            "danger": True,
        },
        act=actions.reset_password,
        done=_("Le mot de passe est réinitialisé. Remettez le nouveau code à la personne."),
    )


# --- Creating a person -------------------------------------------------------------------------------

MULTI_VALUED = ("functions", "children")


def _typed_values(post) -> dict:
    """What the admin typed, to show the form again without judging it (the "find a pupil" step)."""
    values = {key: post.get(key) for key in post if key not in MULTI_VALUED}
    values.update({key: post.getlist(key) for key in MULTI_VALUED})
    return values


def _pupils_to_show(school, query: str, ticked_ids) -> list[Person]:
    """The pupils already ticked plus at most 20 matching the search words, with their classes."""
    ids = [int(i) for i in ticked_ids if str(i).isdigit()]
    selected = Q(pk__in=ids)
    found = Q(pk__in=[])
    words = query.split()
    if words:
        matches = pupils_of(school)
        for word in words:
            matches = matches.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
        found = Q(pk__in=list(matches.order_by("last_name", "first_name").values_list("pk", flat=True)[:20]))
    return list(
        with_school_details(pupils_of(school).filter(selected | found), school).order_by(
            "last_name", "first_name"
        )
    )


@console_view
def person_new(request, school):
    if request.method != "POST":
        form = NewPersonForm(school)
        return render(request, "console/person_new.html", {"school": school, "form": form})
    shown = _pupils_to_show(school, request.POST.get("pupil_query", ""), request.POST.getlist("children"))
    if "find_pupil" in request.POST:
        form = NewPersonForm(school, initial=_typed_values(request.POST), shown_pupils=shown)
        return render(request, "console/person_new.html", {"school": school, "form": form, "searched": True})
    form = NewPersonForm(school, request.POST, shown_pupils=shown)
    if not form.is_valid():
        return render(request, "console/person_new.html", {"school": school, "form": form}, status=400)
    data = form.cleaned_data
    new = NewPerson(
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        school=school,
        profile=data["profile"],
        functions=list(data["functions"]),
        birth_date=data["birth_date"],
        email=data["email"],
        groups=[data["classe"]] if data["classe"] else [],
    )
    person, code = actions.create_person_account(request.user, new, children=list(data["children"]))
    _remember_fresh_code(request, person, code)
    messages.success(
        request,
        _("%(name)s a été créé(e) avec l'identifiant %(login)s.")
        % {"name": person.full_name, "login": person.user.username},
    )
    return redirect("console:person", uai=school.uai, person_id=person.pk)


@console_view
def pupil_options(request, school):
    """The list of pupils to tick, refreshed as the admin types (htmx); the form works without it."""
    shown = _pupils_to_show(school, request.GET.get("pupil_query", ""), request.GET.getlist("children"))
    form = NewPersonForm(school, initial={"children": request.GET.getlist("children")}, shown_pupils=shown)
    return render(request, "console/person_new.html#pupil-options", {"school": school, "form": form})


# --- Activation letters ------------------------------------------------------------------------------


@console_view
def letters_page(request, school):
    if request.method == "POST":
        return _print_letters(request, school)
    context = {"school": school}
    if request.GET.get("person"):
        person_id = request.GET["person"]
        if not person_id.isdigit():
            raise Http404
        person = person_of_school_or_404(school, int(person_id))
        context.update(person=person, needs_letter=letters.needs_letter(person.user))
        return render(request, "console/letters_person.html", context)
    if request.GET.get("classe"):
        group = class_of_school_or_404(school, request.GET["classe"])
        context.update(group=group, found=letters.class_recipients(group))
        return render(request, "console/letters_class.html", context)
    context["classes"] = current_classes_of(school)
    return render(request, "console/letters.html", context)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _print_letters(request, school):
    if request.POST.get("person"):
        person_id = request.POST["person"]
        if not person_id.isdigit():
            raise Http404
        person = person_of_school_or_404(school, int(person_id))
        letter = letters.letter_for_person(request.user, school, person, request.POST.get("code", ""))
        if letter is None:
            messages.info(
                request,
                _(
                    "Pas de lettre pour %(name)s : le compte est déjà activé, bloqué, ou "
                    "vous ne pouvez pas le modifier."
                )
                % {"name": person.full_name},
            )
            return redirect("console:person", uai=school.uai, person_id=person.pk)
        return _pdf_response(letters.letters_pdf(school, [letter]), letters.person_filename(school, person))
    group = class_of_school_or_404(school, request.POST.get("classe"))
    printed = letters.letters_for_class(request.user, school, group)
    if not printed:
        messages.info(
            request,
            _(
                "Aucune lettre à imprimer pour la classe %(name)s : tous les comptes des élèves "
                "et de leurs responsables sont déjà activés."
            )
            % {"name": group.name},
        )
        return redirect("console:letters", uai=school.uai)
    return _pdf_response(letters.letters_pdf(school, printed), letters.class_filename(school, group))


# --- Correction requests (right of rectification, rule C9) -----------------------------------------


def _corrections_context(school, forms_by_id=None):
    forms_by_id = forms_by_id or {}
    open_requests = list(
        CorrectionRequest.objects.filter(school=school, status=CorrectionRequest.Status.OPEN)
        .select_related("person__user")
        .order_by("created_at")
    )
    rows = [(r, forms_by_id.get(r.pk) or CorrectionAnswerForm(prefix=f"r{r.pk}")) for r in open_requests]
    handled = (
        CorrectionRequest.objects.filter(school=school)
        .exclude(status=CorrectionRequest.Status.OPEN)
        .select_related("person", "handled_by")
        .order_by("-handled_at")[:20]
    )
    return {"school": school, "rows": rows, "handled": handled}


@console_view
def corrections(request, school):
    return render(request, "console/corrections.html", _corrections_context(school))


@console_view
@require_POST
def correction_answer(request, school, request_id):
    correction = correction_request_or_404(school, request_id)
    form = CorrectionAnswerForm(request.POST, prefix=f"r{correction.pk}")
    if correction.status != CorrectionRequest.Status.OPEN:
        messages.info(request, _("Cette demande a déjà été traitée."))
        return redirect("console:corrections", uai=school.uai)
    if not form.is_valid():
        context = _corrections_context(school, {correction.pk: form})
        return render(request, "console/corrections.html", context, status=400)
    actions.answer_correction_request(
        request.user, correction, status=form.cleaned_data["status"], answer=form.cleaned_data["answer"]
    )
    messages.success(
        request, _("La demande de %(name)s est traitée.") % {"name": correction.person.full_name}
    )
    return redirect("console:corrections", uai=school.uai)


# --- Apps per profile, and school settings -----------------------------------------------------------


def _switch_matrix(school):
    """Rows of (app, [(profile, label, checkbox name or None, enabled)]): a cell without a checkbox is a
    profile the app is not made for."""
    stored = {(s.app_code, s.profile): s.enabled for s in AppSwitch.objects.filter(school=school)}
    rows = []
    # An app may declare itself always on (e.g. "Mes données", the right of access): it is not offered here.
    for app in (a for a in registry.sorted_apps() if getattr(a, "switchable", True)):
        cells = []
        for profile, label in Profile.choices:
            offered = not app.profiles or profile in app.profiles
            name = f"{app.code}:{profile}" if offered else None
            cells.append((profile, label, name, stored.get((app.code, profile), True)))
        rows.append((app, cells))
    return rows


@console_view
def app_switches(request, school):
    rows = _switch_matrix(school)
    if request.method == "POST":
        cells = [
            actions.SwitchCell(app_code=app.code, profile=profile, enabled=name in request.POST)
            for app, app_cells in rows
            for profile, _label, name, _enabled in app_cells
            if name
        ]
        actions.save_app_switches(request.user, school, cells)
        messages.success(request, _("Les applications proposées à chaque profil sont enregistrées."))
        return redirect("console:apps", uai=school.uai)
    return render(request, "console/apps.html", {"school": school, "rows": rows, "profiles": Profile.choices})


@console_view
def school_settings(request, school):
    # Not `request.POST or None`: unticking the only box posts no field at all, and must still be saved.
    data = request.POST if request.method == "POST" else None
    form = SchoolSettingsForm(data, initial={"mfa_required_for_staff": school.mfa_required_for_staff})
    if request.method == "POST" and form.is_valid():
        actions.set_mfa_required_for_staff(request.user, school, form.cleaned_data["mfa_required_for_staff"])
        messages.success(request, _("Les réglages de l'établissement sont enregistrés."))
        return redirect("console:settings", uai=school.uai)
    return render(request, "console/settings.html", {"school": school, "form": form})
