"""Gates every request of a logged-in user: ended sessions, idle timeout, language, the second factor (C6),
the charter (C2)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from cartable.accounts import actions, mfa

SESSION_GENERATION_KEY = "cartable_generation"
LAST_SEEN_KEY = "cartable_last_seen"
# Set at login for anyone who enrolled a second factor (required or by choice): until the code is given,
# only the second-factor step, logging out and the public pages answer (cartable.accounts.mfa).
SECOND_FACTOR_PENDING_KEY = "cartable_second_factor_pending"
# The charter version this session's user accepted: a newer one is asked at the next request.
CHARTER_VERSION_KEY = "cartable_charter_version"
# Paths a user may reach before accepting the charter: the charter itself, the notice, logging out, static.
OPEN_PREFIXES = ("/auth/", "/static/", "/charte", "/informations", "/healthz", "/i18n/")


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            ended = self._session_ended(request, user)
            if ended is not None:
                return ended
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            pending = bool(request.session.get(SECOND_FACTOR_PENDING_KEY))
            if pending and user.is_verified():
                del request.session[SECOND_FACTOR_PENDING_KEY]
                pending = False
            if mfa.second_factor_due(request, pending=pending):
                return redirect(with_next("accounts:mfa", request.get_full_path()))
            if not request.path.startswith(OPEN_PREFIXES) and not self._charter_accepted(request, user):
                return redirect(with_next("accounts:charter", request.get_full_path()))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if mfa.second_factor_due_for_view(request, view_func):
            return redirect(with_next("accounts:mfa", request.get_full_path()))
        return None

    def _charter_accepted(self, request, user) -> bool:
        # The version in force comes from the shared cache; the database is asked once per session and
        # charter version only.
        current = actions.current_charter_version()
        if current is None or request.session.get(CHARTER_VERSION_KEY) == current:
            return True
        if not actions.has_accepted_charter_version(user, current):
            return False
        request.session[CHARTER_VERSION_KEY] = current
        return True

    def _session_ended(self, request, user):
        session = request.session
        now = int(time.time())
        generation_ok = session.get(SESSION_GENERATION_KEY) == user.session_generation
        last_seen = session.get(LAST_SEEN_KEY, now)
        idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
        if user.blocked_at is not None or not generation_ok or idle:
            logout(request)
            return redirect(f"{reverse('accounts:login')}?ended=1")
        # Refresh at most once a minute so that reading pages does not write the session each time.
        if now - last_seen >= 60:
            session[LAST_SEEN_KEY] = now
        return None


def keep_this_session(request, user) -> None:
    """After an action that ended every session of `user` (session_generation bumped): this one stays open."""
    request.session[SESSION_GENERATION_KEY] = user.session_generation


def start_session(request, user) -> None:
    """Called right after login: stamps the session so that it can be ended from elsewhere."""
    request.session[SESSION_GENERATION_KEY] = user.session_generation
    request.session[LAST_SEEN_KEY] = int(time.time())
    if actions.confirmed_totp_device(user) is not None:
        request.session[SECOND_FACTOR_PENDING_KEY] = True
