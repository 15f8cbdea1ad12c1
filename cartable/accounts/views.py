from django.contrib import auth
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.accounts import actions, throttle
from cartable.accounts.forms import LoginForm
from cartable.accounts.middleware import start_session
from cartable.accounts.models import LoginEvent


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def login(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = client_ip(request)
        if throttle.is_throttled(username, ip):
            error = _("Trop de tentatives de connexion. Par sécurité, réessayez dans 15 minutes.")
            actions.record_login_event(None, LoginEvent.Kind.THROTTLED, request)
            status = 429
        else:
            user = auth.authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(username, ip)
                actions.record_login_event(None, LoginEvent.Kind.FAILURE, request)
                # The same words whether the account exists, is blocked or the password is wrong.
                error = _("Identifiant ou mot de passe incorrect.")
                status = 401
            else:
                throttle.clear_account(username)
                auth.login(request, user)
                start_session(request, user)
                actions.record_login_event(user, LoginEvent.Kind.SUCCESS, request)
                return redirect(safe_next(request))
    context = {"form": form, "error": error, "next": safe_next(request, ""), "ended": "ended" in request.GET}
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout(request):
    if request.user.is_authenticated:
        actions.record_login_event(request.user, LoginEvent.Kind.LOGOUT, request)
    auth.logout(request)
    return redirect("accounts:login")
