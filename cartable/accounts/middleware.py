"""Gates every request of a logged-in user: ended sessions, idle timeout, language, the charter (C2)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from cartable.accounts import actions

SESSION_GENERATION_KEY = "cartable_generation"
LAST_SEEN_KEY = "cartable_last_seen"
# Paths a user may reach before accepting the charter: the charter itself, the notice, logging out, static.
OPEN_PREFIXES = ("/auth/", "/static/", "/charte", "/informations", "/healthz", "/i18n/")


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
            if not request.path.startswith(OPEN_PREFIXES) and not request.session.get("charter_ok"):
                if not actions.has_accepted_current_charter(user):
                    return redirect(
                        f"{reverse('accounts:charter')}?{urlencode({'next': request.get_full_path()})}"
                    )
                request.session["charter_ok"] = True
        return self.get_response(request)

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


def start_session(request, user) -> None:
    """Called right after login: stamps the session so that it can be ended from elsewhere."""
    request.session[SESSION_GENERATION_KEY] = user.session_generation
    request.session[LAST_SEEN_KEY] = int(time.time())
