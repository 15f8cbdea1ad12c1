import base64
import math
import secrets

import django_otp
import segno
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from cartable.accounts import actions, email_change, logout_hooks, reset_links, throttle
from cartable.accounts.backends import refused_as_blocked
from cartable.accounts.forms import (
    ActivationCodeForm,
    CharterForm,
    EnrolmentForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetForm,
    SecondFactorForm,
)
from cartable.accounts.middleware import CHARTER_VERSION_KEY, keep_this_session, start_session
from cartable.accounts.models import LoginEvent, User
from cartable.directory.models import School, SchoolKind
from cartable.lib import net
from cartable.lib.params import local_url
from cartable.notifications.tasks import send_password_reset
from cartable.portal.contact import contact_context, contact_form_for, save_contact_form

BACKEND = "cartable.accounts.backends.CartableBackend"
ACTIVATION_SESSION_KEY = "cartable_activation"
RECOVERY_CODES_SESSION_KEY = "cartable_recovery_codes"
# The TOTP secret shown on the enrolment page, until the user confirms it with a code.
TOTP_ENROLMENT_KEY = "cartable_totp_enrolment"
JUST_ACTIVATED_SESSION_KEY = "cartable_just_activated"
LOGIN_HISTORY_LENGTH = 50


def client_ip(request) -> str:
    return net.client_ip(request) or ""


def safe_next(request, default: str = "/") -> str:
    return local_url(request.POST.get("next") or request.GET.get("next"), default)


def posted(request):
    """Form data for a POST, even an empty one (an unticked box sends nothing), else None (unbound form)."""
    return request.POST if request.method == "POST" else None


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def user_for_login(username: str) -> User | None:
    """The account a typed login names (logins are case-insensitive), or None."""
    return User.objects.filter(username__iexact=username.strip()).first()


def throttled_message() -> str:
    return _("Trop de tentatives de connexion. Par sécurité, réessayez dans 15 minutes.")


def blocked_message(user: User | None) -> str:
    """Whom to ask: an école's accounts are kept by its direction, a collège's or lycée's by its ENT admin
    and vie scolaire."""
    schools = list(School.objects.filter(memberships__person__user=user).distinct().order_by("name"))
    names = ", ".join(school.name for school in schools)
    if not schools:
        return _("Votre compte est bloqué. Adressez-vous à l'administrateur de Cartable pour le débloquer.")
    if all(school.kind == SchoolKind.PRIMARY for school in schools):
        return _(
            "Votre compte est bloqué. Pour le débloquer, adressez-vous à la direction de l'école "
            "(%(schools)s), qui gère les comptes Cartable."
        ) % {"schools": names}
    return _(
        "Votre compte est bloqué. Pour le débloquer, adressez-vous à l'administrateur ENT ou à la vie "
        "scolaire de l'établissement (%(schools)s)."
    ) % {"schools": names}


# Login and logout


@sensitive_post_parameters("password")
def login(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(posted(request))
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = client_ip(request)
        if throttle.is_throttled(username, ip):
            error = throttled_message()
            actions.record_login_event(user_for_login(username), LoginEvent.Kind.THROTTLED, request)
            status = 429
        else:
            user = auth.authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None and refused_as_blocked(request):
                # The password was right: saying "blocked" reveals nothing to someone guessing.
                blocked = user_for_login(username)
                actions.record_login_event(blocked, LoginEvent.Kind.BLOCKED, request)
                error = blocked_message(blocked)
                status = 403
            elif user is None:
                throttle.record_failure(username, ip)
                # Traced on the account when it exists, so its owner sees the attempt in their history.
                actions.record_login_event(user_for_login(username), LoginEvent.Kind.FAILURE, request)
                # The same words whether the account exists, is blocked or the password is wrong.
                error = _("Identifiant ou mot de passe incorrect.")
                status = 401
            else:
                throttle.clear_account(username, ip)
                auth.login(request, user)
                start_session(request, user)
                actions.record_login_event(user, LoginEvent.Kind.SUCCESS, request)
                return redirect(safe_next(request))
    context = {
        "form": form,
        "error": error,
        "next": safe_next(request, ""),
        "ended": "ended" in request.GET,
        "charter_refused": "charter_refused" in request.GET,
    }
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout(request):
    if request.user.is_authenticated:
        actions.record_login_event(request.user, LoginEvent.Kind.LOGOUT, request)
    logout_hooks.before_logout(request)
    auth.logout(request)
    return redirect("accounts:login")


# Activation: login + code from the letter → choose a password → charter → information notice → home


def may_use_account(user: User) -> bool:
    """A deactivated (is_active off) or blocked account is refused at every way in, not only at login."""
    return user.is_active and not user.is_blocked


def _user_with_code(username: str, code: str) -> User | None:
    user = user_for_login(username)
    if user is None:
        # Hash anyway so that an unknown login costs the same time as a wrong code.
        secrets.compare_digest(actions.hash_code(code), actions.hash_code(""))
        return None
    if not may_use_account(user) or not actions.check_activation_code(user, code):
        return None
    return user


def _blocked_with_code(username: str, code: str) -> User | None:
    """The blocked account this right code belongs to: only the code's holder learns that it is blocked."""
    user = user_for_login(username)
    if user is None or not user.is_active or not user.is_blocked:
        return None
    return user if actions.check_activation_code(user, code) else None


def activate(request):
    form = ActivationCodeForm(posted(request))
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        username, code = form.cleaned_data["username"], form.cleaned_data["code"]
        ip = client_ip(request)
        if throttle.is_throttled(username, ip):
            error = throttled_message()
            actions.record_login_event(user_for_login(username), LoginEvent.Kind.THROTTLED, request)
            status = 429
        else:
            user = _user_with_code(username, code)
            if user is not None:
                # Only a fingerprint of the code is kept; step 2 checks it again against the account.
                request.session[ACTIVATION_SESSION_KEY] = {"user": user.pk, "code": user.activation_code_hash}
                return redirect("accounts:activate_password")
            blocked = _blocked_with_code(username, code)
            if blocked is not None:
                actions.record_login_event(blocked, LoginEvent.Kind.BLOCKED, request)
                error = blocked_message(blocked)
                return render(request, "accounts/activate.html", {"form": form, "error": error}, status=403)
            throttle.record_failure(username, ip)
            actions.record_login_event(user_for_login(username), LoginEvent.Kind.FAILURE, request)
            # One message for an unknown login, a wrong code, a used or expired code: nothing to enumerate.
            error = _(
                "Identifiant ou code d'activation incorrect, ou code expiré. Vérifiez votre courrier ; "
                "si le problème continue, demandez un nouveau code à l'établissement."
            )
            status = 400
    return render(request, "accounts/activate.html", {"form": form, "error": error}, status=status)


def _pending_activation(request) -> User | None:
    pending = request.session.get(ACTIVATION_SESSION_KEY)
    if not pending:
        return None
    user = User.objects.filter(pk=pending.get("user")).first()
    if user is None or not may_use_account(user) or not user.activation_code_valid_now():
        return None
    # The code may have been used or replaced since step 1 (another tab, a new letter).
    if not secrets.compare_digest(user.activation_code_hash, pending.get("code", "")):
        return None
    return user


@sensitive_post_parameters("password1", "password2")
def activate_password(request):
    user = _pending_activation(request)
    if user is None:
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        messages.error(request, _("Recommencez l'activation : saisissez votre identifiant et votre code."))
        return redirect("accounts:activate")
    form = NewPasswordForm(user, posted(request))
    if request.method == "POST" and form.is_valid():
        actions.activate_account(user, form.password)
        del request.session[ACTIVATION_SESSION_KEY]
        auth.login(request, user, backend=BACKEND)
        start_session(request, user)
        actions.record_login_event(user, LoginEvent.Kind.SUCCESS, request)
        throttle.clear_account(user.username, client_ip(request))
        # The optional contact step comes right after, without asking again for the password just chosen.
        request.session[JUST_ACTIVATED_SESSION_KEY] = True
        return redirect(with_next("accounts:charter", reverse("accounts:activate_contact")))
    return render(request, "accounts/activate_password.html", {"form": form, "account": user})


@never_cache
@login_required
def activate_contact(request):
    """Optional step 3 of the activation: an email address (confirmed by a link) and a mobile number, so that
    notifications and "mot de passe oublié" work. Only right after choosing the password; later, the same
    form is in "Mes données" and asks for the password."""
    if not request.session.get(JUST_ACTIVATED_SESSION_KEY):
        return redirect("accounts:welcome")
    form = contact_form_for(request, ask_password=False)
    if request.method == "POST" and form.is_valid() and save_contact_form(request, form):
        del request.session[JUST_ACTIVATED_SESSION_KEY]
        return redirect("accounts:welcome")
    return render(request, "accounts/activate_contact.html", contact_context(request, form))


@login_required
def welcome(request):
    """Rule C3: the information notice is shown at account creation, briefly, with a link to the full text."""
    # Reaching this page ends the contact step (done or skipped): from now on, changing the email address
    # asks for the password.
    request.session.pop(JUST_ACTIVATED_SESSION_KEY, None)
    return render(request, "accounts/welcome.html")


# A new email address from the link sent to it (cartable.accounts.email_change)


@never_cache
@login_required
def email_confirm(request, token: str):
    """GET shows the address to confirm, POST confirms it. Only the account's owner, logged in, can: the link
    of someone else's account, an expired, forged or used one, answers "invalid" and changes nothing."""
    user = request.user
    if not email_change.token_matches(user, token):
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        new_email = user.pending_email
        if actions.confirm_email_change(user, token, request):
            messages.success(
                request, _("Votre adresse électronique est confirmée : %(email)s.") % {"email": new_email}
            )
            return redirect("portal:me")
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
    return render(request, "accounts/email_confirm.html", {"email": user.pending_email})


# Charter (rule C2)


@login_required
def charter(request):
    next_url = safe_next(request)
    current = actions.current_charter()
    if current is None:
        return redirect(next_url)
    if request.method == "POST" and "refuse" in request.POST:
        return _refuse_charter(request)
    if request.method != "POST" and actions.has_accepted_current_charter(request.user):
        request.session[CHARTER_VERSION_KEY] = current.version
        return redirect(next_url)
    form = CharterForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.accept_charter(request.user, current)
        request.session[CHARTER_VERSION_KEY] = current.version
        return redirect(next_url)
    return render(request, "accounts/charter.html", {"charter": current, "form": form, "next": next_url})


def _refuse_charter(request):
    actions.record_login_event(request.user, LoginEvent.Kind.LOGOUT, request)
    auth.logout(request)
    # Logging out empties the session, so the login page is told why through its address.
    return redirect(f"{reverse('accounts:login')}?charter_refused=1")


# Second factor (rule C6)


@never_cache
@login_required
def mfa(request):
    next_url = safe_next(request)
    if actions.confirmed_totp_device(request.user) is None:
        return _mfa_enrol(request, next_url)
    if request.user.is_verified():
        return redirect(next_url)
    return _mfa_verify(request, next_url)


def _locked_message(locked_until) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    return ngettext(
        "Trop de codes erronés. Par sécurité, patientez %(seconds)d seconde avant de réessayer.",
        "Trop de codes erronés. Par sécurité, patientez %(seconds)d secondes avant de réessayer.",
        seconds,
    ) % {"seconds": seconds}


def _mfa_enrol(request, next_url: str):
    # One secret per enrolment attempt, kept in this session only until it is confirmed.
    key = request.session.get(TOTP_ENROLMENT_KEY)
    if not key:
        key = request.session[TOTP_ENROLMENT_KEY] = actions.new_totp_key()
    form = EnrolmentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        confirmed = actions.confirm_totp_enrolment(request.user, key, form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            # Every other session of the account ended with the enrolment; this one goes on, verified,
            # under a new session key.
            del request.session[TOTP_ENROLMENT_KEY]
            request.session.cycle_key()
            keep_this_session(request, request.user)
            django_otp.login(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(with_next("accounts:mfa_recovery_codes", next_url))
        form.add_error(
            "code", _("Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et réessayez.")
        )
    device = actions.totp_device_for_enrolment(request.user, key)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": segno.make(device.config_url).svg_inline(
            scale=4, border=2, light="#fff", title=_("QR code à scanner"), svgclass="qr-code"
        ),
        "secret": _grouped(base64.b32encode(device.bin_key).decode()),
    }
    return render(request, "accounts/mfa_enrol.html", context)


def _grouped(secret: str) -> str:
    # Groups of four are easier to type by hand from the screen.
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _mfa_verify(request, next_url: str):
    form = SecondFactorForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        check = actions.verify_second_factor(request.user, form.cleaned_data["code"])
        if check.device is not None:
            django_otp.login(request, check.device)
            if isinstance(check.device, StaticDevice):
                _warn_recovery_codes_left(request)
            return redirect(next_url)
        if check.locked_until is not None:
            form.add_error("code", _locked_message(check.locked_until))
            status = 429
        else:
            form.add_error("code", _("Code incorrect ou déjà utilisé."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url}, status=status)


def _warn_recovery_codes_left(request) -> None:
    left = actions.recovery_codes_left(request.user)
    messages.warning(
        request,
        ngettext(
            "Code de secours utilisé : il vous en reste %(left)d. Pensez à en générer de nouveaux.",
            "Code de secours utilisé : il vous en reste %(left)d. Pensez à en générer de nouveaux.",
            left,
        )
        % {"left": left},
    )


@never_cache
@login_required
def mfa_recovery_codes(request):
    """Shows the recovery codes once: they are dropped from the session as soon as they are displayed."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    next_url = safe_next(request)
    if not codes:
        return redirect(next_url)
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": next_url})


@require_POST
@login_required
def mfa_recovery_reset(request):
    # Only a session that passed the second factor may replace the codes that bypass it.
    if not request.user.is_verified():
        return redirect(with_next("accounts:mfa", reverse("accounts:sessions")))
    request.session[RECOVERY_CODES_SESSION_KEY] = actions.new_recovery_codes(request.user)
    return redirect(with_next("accounts:mfa_recovery_codes", reverse("accounts:sessions")))


# Sessions and login history


def describe_browser(user_agent: str) -> str:
    """A short, readable name for a User-Agent string; order matters (Edge and Chrome also say Safari)."""
    known = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    browser = next((name for marker, name in known if marker in user_agent), "")
    systems = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    system = next((name for marker, name in systems if marker in user_agent), "")
    if browser and system:
        return _("%(browser)s sur %(system)s") % {"browser": browser, "system": system}
    return browser or system or user_agent[:60] or _("inconnu")


@login_required
def sessions(request):
    user = request.user
    events = [
        (event, describe_browser(event.user_agent))
        for event in user.login_events.all()[:LOGIN_HISTORY_LENGTH]
    ]
    context = {
        "events": events,
        "has_mfa": actions.confirmed_totp_device(user) is not None,
        "recovery_codes_left": actions.recovery_codes_left(user),
        "history_length": LOGIN_HISTORY_LENGTH,
    }
    return render(request, "accounts/sessions.html", context)


@require_POST
@login_required
def end_all_sessions(request):
    actions.log_out_everywhere(request.user, request)
    auth.logout(request)
    messages.success(request, _("Toutes vos sessions sont fermées, y compris celle-ci. Reconnectez-vous."))
    return redirect("accounts:login")


@sensitive_post_parameters("current_password", "password1", "password2")
@login_required
def password_change(request):
    user = request.user
    form = PasswordChangeForm(user, posted(request))
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        if throttle.is_throttled(user.username, ip):
            messages.error(request, throttled_message())
            status = 429
        elif form.is_valid():
            actions.set_password(user, form.password)
            # This session stays open; every other session of the account ends.
            auth.update_session_auth_hash(request, user)
            start_session(request, user)
            messages.success(request, _("Votre mot de passe a été changé. Vos autres sessions sont fermées."))
            return redirect("accounts:sessions")
        elif "current_password" in form.errors:
            # Guessing the current password from an open session counts like guessing at the login page.
            throttle.record_failure(user.username, ip)
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


# Password reset by email (accounts with an address; others ask their school's ENT administrator)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    subject_template_name = reset_links.SUBJECT_TEMPLATE
    email_template_name = reset_links.EMAIL_TEMPLATE
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):  # type: ignore[override]
        return reset_links.email_context()

    def form_valid(self, form):
        ip = client_ip(self.request)
        if not throttle.reset_request_allowed(ip):
            form.add_error(None, _("Trop de demandes depuis cette connexion. Réessayez dans 15 minutes."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        throttle.record_reset_request(ip)
        # Sent by the background worker: the answer takes as long whether the address has an account or not.
        email, language = form.cleaned_data["email"], translation.get_language()
        transaction.on_commit(lambda: send_password_reset.enqueue(email, language))
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(lifetime=reset_links.lifetime(), **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm  # type: ignore[assignment]  # same constructor: (user, data)
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A link sent before the account was blocked or deactivated must not let it back in.
        if user is not None and not may_use_account(user):
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.clear_account(form.user.username)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
