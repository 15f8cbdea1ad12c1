import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import RequestContext
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cartable.access.policy import viewer_for
from cartable.accounts import actions as account_actions
from cartable.accounts import throttle
from cartable.directory import actions as directory_actions
from cartable.directory.models import Function, Guardianship, Membership, Person, School
from cartable.directory.queries import current_classes, home_facts
from cartable.lib import net
from cartable.lib.errors import Refused
from cartable.notifications import access as notifications_access
from cartable.portal import actions
from cartable.portal.children import selected_child_id
from cartable.portal.contact import contact_context, contact_form_for, save_contact_form
from cartable.portal.forms import ContributionsForm, CorrectionRequestForm, LanguageForm
from cartable.portal.launcher import launcher_for, rendered_preference_sections, rendered_widgets
from cartable.portal.models import CorrectionRequest


@never_cache
def healthz(request):
    """Liveness for the load balancer: 200 when the database answers, 503 otherwise."""
    status: dict[str, str | float] = {"database": "ok", "cache": "ok"}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        status["database"] = "down"
    try:
        cache.set("healthz", "1", timeout=5)
        if cache.get("healthz") != "1":
            status["cache"] = "down"
    except Exception:
        status["cache"] = "down"
    status["ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)


def my_person(user) -> Person | None:
    person_id = viewer_for(user).person_id
    if person_id is None:
        return None
    return Person.objects.select_related("user").get(pk=person_id)


@login_required
def home(request):
    """The directory facts come from the shared cache while the directory is unchanged (see
    cartable.directory.versions): beyond the session and the user, no query for a family. The widgets show
    classes, messages and timelines: staff give their second factor first (rule C6).

    The page and its widgets are rendered in one template context, so that the context processors (the
    CSRF token's masking among them) run once per page."""
    facts = home_facts(request.user)
    child_id = selected_child_id(request, [c.pk for c in facts.children])
    child = next((c for c in facts.children if c.pk == child_id), None)
    page = get_template("portal/home.html").template  # type: ignore[attr-defined]  # the Django engine's own
    context = RequestContext(request)
    with context.bind_template(page):
        widgets = rendered_widgets(request, child, context=context)
        values = {
            "person": facts.me,
            "children": facts.children,
            "child": child,
            "apps": launcher_for(request.user, child=child),
            "widgets": widgets,
        }
        with context.push(values):
            return HttpResponse(page.render(context))


def function_label(code: str) -> str:
    return str(Function(code).label) if code in Function.values else code


def my_data(person: Person) -> dict:
    """Everything the directory holds about `person`, for the /me page (right of access, rule C9)."""
    memberships = list(
        Membership.objects.filter(person=person).select_related("school").order_by("school__name")
    )
    children = list(
        Guardianship.objects.filter(relative=person).select_related("student").order_by("student__first_name")
    )
    guardians = list(
        Guardianship.objects.filter(student=person).select_related("relative").order_by("relative__last_name")
    )
    return {
        "memberships": memberships,
        "membership_rows": [(m, [function_label(code) for code in m.functions]) for m in memberships],
        "classes": current_classes([person.pk]).get(person.pk, []),
        "children_links": children,
        "guardian_links": guardians,
    }


@login_required
def me(request):
    from cartable.portal.launcher import rendered_my_data_sections

    person = my_person(request.user)
    if person is None:
        # The platform admin has an account but no directory entry: only the account is shown.
        return render(request, "portal/me.html", {"person": None})
    data = my_data(person)
    # A person may hold two profiles in one school: offer each school once.
    schools = list({m.school_id: m.school for m in data["memberships"]}.values())
    form = CorrectionRequestForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        actions.request_correction(request.user, form.cleaned_data["school"], form.cleaned_data["message"])
        messages.success(request, _("Votre demande de correction a été transmise à l'administrateur ENT."))
        return redirect("portal:me")
    context = data | {
        "person": person,
        "form": form,
        "contributions_form": ContributionsForm(
            initial={
                "choice": ContributionsForm.KEEP if person.keep_contributions else ContributionsForm.DELETE
            }
        ),
        "requests": CorrectionRequest.objects.filter(person=person).select_related("school"),
        "sms_phone": notifications_access.own_sms_phone(request.user),
        # What the other apps hold about the person (SMS number, email choices…), rule C9.
        "my_data_sections": rendered_my_data_sections(request),
    }
    return render(request, "portal/me.html", context)


@never_cache
@sensitive_post_parameters("current_password")
@login_required
def contact(request):
    """My email address and mobile number (right of rectification, rule C9, without asking the school)."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "resend":
        return _resend_confirmation(request)
    if action == "cancel":
        account_actions.cancel_email_change(user)
        messages.success(request, _("Le changement d'adresse est annulé."))
        return redirect("portal:contact")
    form = contact_form_for(request, ask_password=True)
    status = 200
    if request.method == "POST":
        ip = net.client_ip(request) or ""
        if throttle.is_throttled(user.username, ip):
            messages.error(request, _("Trop de tentatives. Par sécurité, réessayez dans 15 minutes."))
            status = 429
        elif form.is_valid():
            # Checking the password may have upgraded its hash, on which the session depends: keep it open.
            auth.update_session_auth_hash(request, user)
            if save_contact_form(request, form):
                return redirect("portal:me")
        elif "current_password" in form.errors:
            # Guessing the password from an open session counts like guessing at the login page.
            throttle.record_failure(user.username, ip)
    return render(request, "portal/contact.html", contact_context(request, form), status=status)


def _resend_confirmation(request):
    try:
        sent = account_actions.resend_email_confirmation(request.user, request)
    except Refused as refusal:
        messages.error(request, refusal.reason)
        return redirect("portal:contact")
    if sent:
        messages.success(
            request,
            _("Un nouveau lien est envoyé à %(email)s ; le précédent ne fonctionne plus.")
            % {"email": request.user.pending_email},
        )
    return redirect("portal:contact")


@login_required
@require_POST
def contributions(request):
    """The person's objection (or not) to keeping their contributions after their account is purged."""
    person = my_person(request.user)
    if person is None:
        raise Http404
    form = ContributionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez ce que deviennent vos messages et publications."))
        return redirect("portal:me")
    directory_actions.set_keep_contributions(person, form.cleaned_data["choice"] == ContributionsForm.KEEP)
    messages.success(request, _("Votre choix est enregistré."))
    return redirect(reverse("portal:me") + "#contributions-title")


def schools_of(person_id: int) -> list[School]:
    """The person's schools, once each (a person may hold two profiles in one school)."""
    return list(School.objects.filter(memberships__person_id=person_id).distinct().order_by("name"))


@login_required
def preferences(request):
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        account_actions.set_language(request.user, language)
        # The confirmation is already in the chosen language.
        translation.activate(language)
        messages.success(request, _("Vos préférences sont enregistrées."))
        return redirect("portal:preferences")
    return render(
        request, "portal/preferences.html", {"form": form, "sections": rendered_preference_sections(request)}
    )


def charter(request):
    return render(request, "portal/charter.html", {"charter": account_actions.current_charter()})


def notice(request):
    """The information notice of arrêté du 30 novembre 2006, art. 5 and 8 (rule C3); public."""
    viewer = viewer_for(request.user)
    schools = schools_of(viewer.person_id) if viewer.person_id is not None else []
    return render(
        request,
        "portal/notice.html",
        {"schools": schools, "dpo_contact": settings.DPO_CONTACT},
    )
