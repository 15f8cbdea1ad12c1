"""The pages of the connected applications: the CAS server's endpoints, the platform admin's registrations,
the school admin's choices in the console."""

from __future__ import annotations

import time
from functools import wraps

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cartable.accounts import mfa, throttle
from cartable.accounts.middleware import with_next
from cartable.console.decorators import console_view
from cartable.directory.models import Profile
from cartable.lib import net
from cartable.lib.errors import Refused
from cartable.sso import access, actions, cas, tickets
from cartable.sso.forms import ConnectedAppForm, RenewForm, initial_of

# Set while anonymous when an application asked for a fresh login (renew): the login that follows counts.
FRESH_LOGIN_KEY = "sso_fresh_login"
FRESH_LOGIN_SECONDS = 10 * 60


def _true(value: str | None) -> bool:
    return value is not None and value.lower() not in ("", "false", "0", "no")


def _xml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


# --- CAS -----------------------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
def login(request):
    """/cas/login: a ticket for a registered service when the person is logged in (the account gate — second
    factor, charter, blocked account — ran before this view), else Cartable's login and back here."""
    service = request.GET.get("service", "")
    renew = _true(request.GET.get("renew"))
    gateway = _true(request.GET.get("gateway")) and not renew
    user = request.user
    if not service:
        return redirect("portal:home") if user.is_authenticated else redirect("accounts:login")
    app = access.app_for_service(service)
    if app is None or app.protocol != "cas":
        return render(request, "sso/refused.html", {"unknown": True}, status=403)
    if not user.is_authenticated:
        if gateway:
            return redirect(service)
        if renew:
            request.session[FRESH_LOGIN_KEY] = time.time()
        return redirect(with_next("accounts:login", request.get_full_path()))
    if not access.can_use(user, app):
        if gateway:
            return redirect(service)
        return render(request, "sso/refused.html", {"app": app}, status=403)
    new_login = False
    if renew:
        asked = request.session.pop(FRESH_LOGIN_KEY, None)
        if asked is not None and time.time() - asked <= FRESH_LOGIN_SECONDS:
            new_login = True
        else:
            confirmed = _confirm_password(request, app)
            if not isinstance(confirmed, bool):
                return confirmed
            new_login = True
    ticket = actions.issue_service_ticket(request, app, service, new_login=new_login)
    return redirect(cas.with_ticket(service, ticket))


def _confirm_password(request, app: access.AppFacts) -> bool | HttpResponse:
    """renew=true: the person types their password again; True once it is right, else the form's page."""
    form = RenewForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username, ip = request.user.get_username(), net.client_ip(request) or ""
        if throttle.is_throttled(username, ip):
            form.add_error("password", _("Trop de tentatives. Réessayez dans 15 minutes."))
            status = 429
        elif auth.authenticate(request, username=username, password=form.cleaned_data["password"]) is None:
            throttle.record_failure(username, ip)
            form.add_error("password", _("Mot de passe incorrect."))
            status = 401
        else:
            throttle.clear_account(username, ip)
            return True
    return render(request, "sso/renew.html", {"form": form, "app": app}, status=status)


@never_cache
def logout(request):
    """/cas/logout: ends the Cartable session and, in the background, the sessions it opened in the
    applications (single logout); then back to `service` when it is a registered application's."""
    actions.log_out(request)
    service = request.GET.get("service", "")
    if service and access.app_for_service(service) is not None:
        return redirect(service)
    return redirect("accounts:login")


@never_cache
def service_validate(request):
    """/cas/serviceValidate and /cas/p3/serviceValidate (CAS 3.0 answers attributes at both)."""
    return _xml(cas.validate(_params(request), (tickets.SERVICE,)))


@never_cache
def proxy_validate(request):
    """/cas/proxyValidate and /cas/p3/proxyValidate: service and proxy tickets."""
    return _xml(cas.validate(_params(request), (tickets.SERVICE, tickets.PROXY)))


@never_cache
def proxy(request):
    return _xml(cas.proxy(request.GET.get("pgt", ""), request.GET.get("targetService", "")))


def _params(request) -> cas.Params:
    return cas.Params(
        service=request.GET.get("service", ""),
        ticket=request.GET.get("ticket", ""),
        pgt_url=request.GET.get("pgtUrl", ""),
        renew=_true(request.GET.get("renew")),
    )


# --- The platform admin's registrations -------------------------------------------------------------------


def _platform_admin_page(view):
    """Logged in, the platform admin (else 404); like every administration page, its admins give the second
    factor first (rule C6), here outside the console's addresses (cartable.accounts.mfa.admin_page)."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.may_register_apps(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return mfa.admin_page(wrapper)


@_platform_admin_page
def apps(request):
    return render(request, "sso/apps.html", {"apps": access.apps_visible_to(request.user)})


@_platform_admin_page
def app_new(request):
    form = ConnectedAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values.pop("active")
        try:
            with transaction.atomic():
                app = actions.register_app(request.user, attribute_names=values.pop("attributes"), **values)
                if (provider := form.saml_values()) is not None:
                    actions.set_saml_provider(request.user, app, **provider)
        except Refused as refused:
            form.add_error(refused.field, refused.reason)
        else:
            messages.success(request, _("L’application « %(name)s » est enregistrée.") % {"name": app.name})
            return redirect("sso:apps")
    return render(request, "sso/app_form.html", {"form": form, "app": None})


@_platform_admin_page
def app_edit(request, app_id):
    app = access.app_or_404(request.user, app_id)
    form = ConnectedAppForm(request.POST or None, initial=initial_of(app))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                actions.update_app(request.user, app, **form.values())
                if (provider := form.saml_values()) is not None:
                    actions.set_saml_provider(request.user, app, **provider)
        except Refused as refused:
            form.add_error(refused.field, refused.reason)
        else:
            messages.success(request, _("L’application « %(name)s » est enregistrée.") % {"name": app.name})
            return redirect("sso:apps")
    return render(request, "sso/app_form.html", {"form": form, "app": app})


@require_POST
@_platform_admin_page
def app_delete(request, app_id):
    app = access.app_or_404(request.user, app_id)
    actions.delete_app(request.user, app)
    messages.success(request, _("L’application « %(name)s » est supprimée.") % {"name": app.name})
    return redirect("sso:apps")


# --- The school's choices (console) ------------------------------------------------------------------------


@console_view
def school_apps(request, school):
    """The ENT admin enables each application the platform offers their school, for chosen profiles."""
    offered = list(access.apps_of(school))
    enabled = access.enablements_of(school)
    labels = dict(Profile.choices)
    rows = []
    for app in offered:
        chosen = set(enabled[app.pk].profiles) if app.pk in enabled else set()
        cells = [(p, labels[p], f"app-{app.pk}-{p}", p in chosen) for p in app.offered_profiles()]
        rows.append((app, cells))
    if request.method == "POST":
        for app, cells in rows:
            profiles = [p for p, _label, name, _on in cells if name in request.POST]
            if set(profiles) != {p for p, _label, _name, on in cells if on}:
                actions.set_school_profiles(request.user, school, app, profiles)
        messages.success(request, _("Les applications connectées de l’établissement sont enregistrées."))
        return redirect("sso:school_apps", uai=school.uai)
    return render(request, "sso/school_apps.html", {"school": school, "rows": rows})


# --- OpenID Connect: a new client secret ---------------------------------------------------------------


@require_POST
@_platform_admin_page
def app_secret(request, app_id):
    """A new client secret, shown once on this page (only its hash is kept)."""
    app = access.app_or_404(request.user, app_id)
    try:
        client_id, secret = actions.new_client_secret(request.user, app)
    except Refused as refused:
        messages.error(request, refused.reason)
        return redirect("sso:app_edit", app_id=app.pk)
    response = render(request, "sso/oidc_secret.html", {"app": app, "client_id": client_id, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response
