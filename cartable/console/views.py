"""The school admin console (ADML, and the platform admin above schools). Views are thin: parse, call an
action or a query from console.access, render. Every view answers 404 outside the schools one administers."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cartable.access import policy, reads
from cartable.accounts.models import LoginEvent
from cartable.console import actions, letters
from cartable.console.access import (
    class_of_school_or_404,
    correction_request_or_404,
    current_classes_of,
    family_link_or_404,
    manageable_accounts,
    management_refusal,
    people_of,
    person_of_school_or_404,
    possible_duplicates,
    pupils_of,
)
from cartable.console.decorators import console_view
from cartable.console.forms import (
    CorrectionAnswerForm,
    FamilyLinkForm,
    NewPersonForm,
    PeopleSearchForm,
    PersonEditForm,
    SchoolSettingsForm,
    SchoolYearForm,
)
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory.actions import NewPerson
from cartable.directory.models import (
    Enrolment,
    Guardianship,
    Membership,
    Person,
    Profile,
    SchoolYear,
    SchoolYearChange,
)
from cartable.directory.ordering import in_school_order
from cartable.lib.errors import Refused
from cartable.lib.params import int_or_404, parse_int, valid_ints
from cartable.notifications import actions as notifications
from cartable.portal.models import AppSwitch, CorrectionRequest
from cartable.portal.registry import registry

PAGE_SIZE = 50
LOGIN_HISTORY_PAGE_SIZE = 50
# The clear activation code just made, kept in the session until the next page has shown it once.
FRESH_CODE_KEY = "console_fresh_code"


@login_required
def home(request):
    if not policy.schools_administered_by(request.user).exists():
        raise Http404
    return _choose_school(request)


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


def _platform_admin_only(view):
    """Logged in, the platform admin (else 404); the account gate has asked the second factor (rule C6)."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not policy.is_platform_admin(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _school_year_context(form) -> dict:
    change = directory.last_rollover()
    return {
        "form": form,
        "current": SchoolYear.objects.filter(is_current=True).first(),
        "last_change": change,
        "undo_refusal": directory.undo_refusal(change),
        "history": SchoolYearChange.objects.select_related("by", "undone_by")[:10],
    }


@_platform_admin_only
def school_year(request):
    """The yearly rollover for the platform admin (ADMC): the same action as `manage.py start_school_year`.
    A first POST shows what the new year closes, in numbers; the second (`confirm`) starts it."""
    current = SchoolYear.objects.filter(is_current=True).first()
    suggested = f"{current.start.year + 1}-{current.start.year + 2}" if current is not None else ""
    form = SchoolYearForm(request.POST or None, initial={"name": suggested})
    if request.method != "POST" or not form.is_valid():
        return render(request, "console/school_year.html", _school_year_context(form))
    name, force = form.cleaned_data["name"], form.cleaned_data["force"]
    try:
        plan = directory.plan_school_year(name)
    except Refused as error:
        form.add_error("name", str(error))
        return render(request, "console/school_year.html", _school_year_context(form))
    if plan.already_current:
        messages.info(
            request, _("L’année %(name)s est déjà l’année en cours : rien n’a changé.") % {"name": name}
        )
        return redirect("console:school_year")
    if plan.too_far and not force:
        form.add_error("force", directory.too_far_message(plan))
        return render(request, "console/school_year.html", _school_year_context(form))
    if not request.POST.get("confirm"):
        return render(request, "console/school_year_confirm.html", {"plan": plan, "force": force})
    try:
        rollover = directory.start_school_year(request.user, name, force=force)
    except Refused as error:
        form.add_error("name", str(error))
        return render(request, "console/school_year.html", _school_year_context(form))
    messages.success(
        request,
        _(
            "L’année %(name)s est désormais l’année en cours. Vous pouvez revenir en arrière tant "
            "qu’aucun import ne l’a remplie."
        )
        % {"name": rollover.year.name},
    )
    return redirect("console:school_year")


@_platform_admin_only
def school_year_undo(request):
    """Going back to the previous year, until the new year's first import: a GET says what it does."""
    change = directory.last_rollover()
    refusal = directory.undo_refusal(change)
    if request.method != "POST":
        return render(request, "console/school_year_undo.html", {"change": change, "refusal": refusal})
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("console:school_year")
    try:
        undone = directory.undo_school_year(request.user)
    except Refused as error:
        messages.error(request, str(error))
        return redirect("console:school_year")
    assert undone.previous is not None
    messages.success(
        request,
        _("Retour à l’année %(name)s : ses classes, inscriptions et services donnent de nouveau accès.")
        % {"name": undone.previous.name},
    )
    return redirect("console:school_year")


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
        "refusal": management_refusal(request.user, person.user),
        "family_side": _family_side(person),
        "open_requests": CorrectionRequest.objects.filter(
            person=person, school=school, status=CorrectionRequest.Status.OPEN
        ).order_by("created_at"),
        "person_facts": _person_facts(request, school, person),
        # Who of the staff opened this pupil's records in the services (rule C8).
        "record_reads": (
            reads.reads_of(person).filter(school=school)[:10]
            if any(m.profile == Profile.STUDENT for m in person.school_memberships)
            else None
        ),
    }
    return render(request, "console/person_detail.html", context)


def _person_facts(request, school, person) -> list[str]:
    """The lines other apps add to the person's page (portal.registry): the console imports none of them."""
    html: list[str] = []
    for fact in registry.sorted_console_person_facts():
        values = fact.context(request, school, person)
        if values is not None:
            html.append(render_to_string(fact.template, values, request=request))
    return html


@console_view
def person_logins(request, school, person_id):
    person = person_of_school_or_404(school, person_id)
    actions.record_person_read(request.user, school, person.user, AdminAction.Kind.VIEW_LOGINS)
    page = Paginator(LoginEvent.objects.filter(user=person.user), LOGIN_HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "console/person_logins.html", {"school": school, "person": person, "page": page})


# --- Account actions: a GET shows what will happen, a POST does it -----------------------------------


def _refused(request, school, person, refusal) -> HttpResponse:
    """The account is out of the admin's hands: back to the person's page, read-only, saying who can act."""
    messages.error(request, refusal.message)
    return redirect("console:person", uai=school.uai, person_id=person.pk)


def _account_action(request, school, person, *, confirm, act, done):
    refusal = management_refusal(request.user, person.user)
    if refusal is not None:
        return _refused(request, school, person, refusal)
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
        person_of_school_or_404(school, person_id),
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
        person_of_school_or_404(school, person_id),
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
        person_of_school_or_404(school, person_id),
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
        person_of_school_or_404(school, person_id),
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
    """A new code for an account not activated yet; an activated account is reset instead (its own page,
    which says what a reset does), so that a code never opens an account beside its owner's password."""
    person = person_of_school_or_404(school, person_id)
    if person.user.is_activated:
        return redirect("console:person_reset", uai=school.uai, person_id=person.pk)
    return _account_action(
        request,
        school,
        person,
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


def _reset_explanation(person) -> str:
    explanation = _(
        "Le mot de passe actuel cessera de fonctionner et la personne sera déconnectée de partout. Un "
        "nouveau code d’activation sera créé : remettez-le-lui, elle s’en servira pour choisir un nouveau "
        "mot de passe."
    )
    if person.user.email:
        return (
            explanation
            + " "
            + _("Elle sera prévenue par courriel à l’adresse %(email)s (le code n’y figure pas).")
            % {"email": person.user.email}
        )
    return explanation + " " + _("Elle n’a pas d’adresse électronique : prévenez-la vous-même.")


@console_view
def person_reset_password(request, school, person_id):
    person = person_of_school_or_404(school, person_id)
    return _account_action(
        request,
        school,
        person,
        confirm={
            "title": _("Réinitialiser le compte"),
            "explanation": _reset_explanation(person),
            "button": _("Réinitialiser le compte"),
            "danger": True,
        },
        act=actions.reset_account,
        done=_("Le compte est réinitialisé. Remettez le nouveau code à la personne."),
    )


# --- Correcting a person's details and family links --------------------------------------------------


def _open_request_or_404(school, person, value) -> CorrectionRequest | None:
    """The person's open correction request named by ?demande= (None without one)."""
    if not value:
        return None
    found = CorrectionRequest.objects.filter(
        pk=int_or_404(value), school=school, person=person, status=CorrectionRequest.Status.OPEN
    ).first()
    if found is None:
        raise Http404
    return found


def _profiles_here(person) -> set[str]:
    return {m.profile for m in person.school_memberships}


@console_view
def person_edit(request, school, person_id):
    person = with_school_details(people_of(school).filter(pk=person_id), school).first()
    if person is None:
        raise Http404
    refusal = management_refusal(request.user, person.user)
    if refusal is not None:
        return _refused(request, school, person, refusal)
    correction = _open_request_or_404(
        school, person, request.POST.get("demande") or request.GET.get("demande")
    )
    is_pupil = Profile.STUDENT in _profiles_here(person)
    classes = [e.group for e in person.current_classes]
    initial = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date,
        "email": person.user.email,
        "phone": notifications.sms_phone_of(person.pk),
        "classe": classes[0].pk if classes else None,
        "answer": _("Votre fiche est corrigée. Merci de nous l’avoir signalé."),
    }
    form = PersonEditForm(
        school,
        request.POST if request.method == "POST" else None,
        initial=initial,
        is_pupil=is_pupil,
        with_request=correction is not None,
    )
    context = {"school": school, "person": person, "form": form, "correction": correction, "classes": classes}
    if request.method != "POST":
        return render(request, "console/person_edit.html", context)
    if not form.is_valid():
        return render(request, "console/person_edit.html", context, status=400)
    data = form.cleaned_data
    changes = actions.PersonChanges(
        details=directory.PersonDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            email=data["email"],
        ),
        phone=data["phone"],
        classe=data.get("classe"),
        # A pupil in two classes of the school (rare, by a feed) keeps them unless the admin picks one.
        set_class=is_pupil and (len(classes) <= 1 or data.get("classe") not in classes),
    )
    words = actions.edit_person(
        request.user, school, person, changes, correction=correction, answer=data.get("answer", "")
    )
    if words:
        messages.success(request, _("Fiche modifiée : %(fields)s.") % {"fields": ", ".join(words)})
    else:
        messages.info(request, _("Rien n’a changé sur la fiche."))
    if correction is not None:
        messages.success(request, _("La demande de correction est traitée et la réponse envoyée."))
    return redirect("console:person", uai=school.uai, person_id=person.pk)


def _family_side(person) -> str | None:
    """On a pupil's page one adds guardians; on a parent's, children; other people have no family here."""
    profiles = _profiles_here(person)
    if Profile.STUDENT in profiles:
        return "guardians"
    if Profile.RELATIVE in profiles:
        return "children"
    return None


def _family_candidates(school, side: str):
    if side == "children":
        return pupils_of(school)
    return people_of(school).exclude(pk__in=pupils_of(school).values("pk"))


def _family_found(school, side: str, query: str, chosen) -> list[Person]:
    """The person already chosen plus at most 20 matching the words typed, with their classes."""
    words = query.split()
    ids = [chosen] if chosen else []
    if words:
        matches = _family_candidates(school, side)
        for word in words:
            matches = matches.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
        ids += list(matches.order_by("last_name", "first_name").values_list("pk", flat=True)[:20])
    if not ids:
        return []
    return list(
        with_school_details(_family_candidates(school, side).filter(pk__in=ids), school).order_by(
            "last_name", "first_name"
        )
    )


@console_view
def person_family(request, school, person_id):
    person = with_school_details(people_of(school).filter(pk=person_id), school).first()
    if person is None:
        raise Http404
    side = _family_side(person)
    if side is None:
        raise Http404
    refusal = management_refusal(request.user, person.user)
    if refusal is not None:
        return _refused(request, school, person, refusal)
    data = request.POST if request.method == "POST" else request.GET
    query = data.get("query", "")[:100]
    chosen = data.get("other", "")
    chosen_id = parse_int(chosen)
    shown = _family_found(school, side, query, chosen_id)
    other_label = _("Enfant") if side == "children" else _("Responsable")
    searching = request.method != "POST" or "find" in request.POST
    form = FamilyLinkForm(
        _family_candidates(school, side),
        None if searching else request.POST,
        initial={"query": query, "other": chosen_id, "legal_guardian": True},
        shown=shown,
        other_label=other_label,
    )
    guardians, children = _related_people(person, school)
    context = {
        "school": school,
        "person": person,
        "form": form,
        "side": side,
        "links": children if side == "children" else guardians,
        "searched": bool(query),
    }
    if searching:
        return render(request, "console/person_family.html", context)
    if not form.is_valid():
        return render(request, "console/person_family.html", context, status=400)
    other = form.cleaned_data["other"]
    relative, student = (person, other) if side == "children" else (other, person)
    pupil_refusal = management_refusal(request.user, student.user)
    if pupil_refusal is not None:
        form.add_error("other", pupil_refusal.message)
        return render(request, "console/person_family.html", context, status=400)
    actions.add_family_link(
        request.user,
        school,
        relative,
        student,
        relationship=form.cleaned_data["relationship"],
        legal_guardian=form.cleaned_data["legal_guardian"],
    )
    messages.success(
        request,
        _("%(relative)s est désormais responsable de %(student)s.")
        % {"relative": relative.full_name, "student": student.full_name},
    )
    return redirect("console:person_family", uai=school.uai, person_id=person.pk)


@console_view
def person_unlink(request, school, person_id, link_id):
    person = person_of_school_or_404(school, person_id)
    link = family_link_or_404(school, person, link_id)
    refusal = management_refusal(request.user, person.user) or management_refusal(
        request.user, link.student.user
    )
    if refusal is not None:
        return _refused(request, school, person, refusal)
    if request.method != "POST":
        return render(
            request,
            "console/confirm.html",
            {
                "school": school,
                "person": person,
                "title": _("Retirer le lien familial"),
                "explanation": _(
                    "%(relative)s ne sera plus responsable de %(student)s : ses données (emploi du temps, "
                    "cahier de textes, messages de l’école à son sujet) ne lui seront plus montrées."
                )
                % {"relative": link.relative.full_name, "student": link.student.full_name},
                "button": _("Retirer le lien"),
                "danger": True,
                "back": reverse("console:person_family", args=[school.uai, person.pk]),
            },
        )
    actions.remove_family_link(request.user, school, link)
    messages.success(
        request,
        _("%(relative)s n’est plus responsable de %(student)s.")
        % {"relative": link.relative.full_name, "student": link.student.full_name},
    )
    return redirect("console:person_family", uai=school.uai, person_id=person.pk)


# --- Creating a person -------------------------------------------------------------------------------

MULTI_VALUED = ("functions", "children")


def _typed_values(post) -> dict:
    """What the admin typed, to show the form again without judging it (the "find a pupil" step)."""
    values = {key: post.get(key) for key in post if key not in MULTI_VALUED}
    values.update({key: post.getlist(key) for key in MULTI_VALUED})
    return values


def _pupils_to_show(school, query: str, ticked_ids) -> list[Person]:
    """The pupils already ticked plus at most 20 matching the search words, with their classes."""
    ids = valid_ints(ticked_ids)
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
    duplicates = possible_duplicates(
        school,
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=data["birth_date"],
        email=data["email"],
    )
    if duplicates and not data["confirm_duplicate"]:
        # Warn, link to who is there already, and let the admin confirm that it is someone else.
        context = {"school": school, "form": form, "duplicates": duplicates}
        return render(request, "console/person_new.html", context)
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
        person = person_of_school_or_404(school, request.GET["person"])
        context.update(
            person=person,
            needs_letter=letters.needs_letter(person.user),
            refusal=management_refusal(request.user, person.user),
        )
        return render(request, "console/letters_person.html", context)
    if request.GET.get("classe"):
        group = class_of_school_or_404(school, request.GET["classe"])
        found = letters.class_recipients(group)
        # Accounts that also reach a school the admin does not administer get no code from here.
        manageable = {u.pk for u in manageable_accounts(request.user, [p.user for p in found.recipients])}
        elsewhere = [p for p in found.recipients if p.user.pk not in manageable]
        found.recipients = [p for p in found.recipients if p.user.pk in manageable]
        context.update(group=group, found=found, elsewhere=elsewhere)
        return render(request, "console/letters_class.html", context)
    context["classes"] = in_school_order(current_classes_of(school))
    return render(request, "console/letters.html", context)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _print_letters(request, school):
    if request.POST.get("person"):
        person = person_of_school_or_404(school, request.POST["person"])
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


def _corrections_context(school, request_user, forms_by_id=None):
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
    people = [r.person.user for r in open_requests]
    editable = {user.pk for user in manageable_accounts(request_user, people)} if request_user else set()
    return {"school": school, "rows": rows, "handled": handled, "editable": editable}


@console_view
def corrections(request, school):
    return render(request, "console/corrections.html", _corrections_context(school, request.user))


@console_view
@require_POST
def correction_answer(request, school, request_id):
    correction = correction_request_or_404(school, request_id)
    form = CorrectionAnswerForm(request.POST, prefix=f"r{correction.pk}")
    if correction.status != CorrectionRequest.Status.OPEN:
        messages.info(request, _("Cette demande a déjà été traitée."))
        return redirect("console:corrections", uai=school.uai)
    if not form.is_valid():
        context = _corrections_context(school, request.user, {correction.pk: form})
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
    form = SchoolSettingsForm(
        data,
        initial={
            "mfa_required_for_staff": school.mfa_required_for_staff,
            "simple_pupil_passwords": school.simple_pupil_passwords,
        },
    )
    if request.method == "POST" and form.is_valid():
        actions.set_mfa_required_for_staff(request.user, school, form.cleaned_data["mfa_required_for_staff"])
        actions.set_simple_pupil_passwords(request.user, school, form.cleaned_data["simple_pupil_passwords"])
        messages.success(request, _("Les réglages de l'établissement sont enregistrés."))
        return redirect("console:settings", uai=school.uai)
    return render(request, "console/settings.html", {"school": school, "form": form})
