"""The authorization endpoint of the OpenID Connect provider (django-oauth-toolkit's, with Cartable's refusal
and trace); the platform admin's new client secret is in views.py. Token, userinfo, JWKS and the
discovery document are django-oauth-toolkit's views as they are (cartable/sso/oidc_urls.py)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from oauth2_provider.views import AuthorizationView

from cartable.sso import access, actions, oidc


class Authorize(AuthorizationView):
    """/oidc/authorize/: a code for a person who may use the application (the school enabled it for one of
    their profiles: that is the consent, no screen asks again), a refusal page for anyone else, never a code.
    The account gate (second factor, charter, blocked account) answered before this view; anonymous people
    go to Cartable's login and come back."""

    template_name = "sso/oidc_error.html"

    def _refusal(self, request, client_id: str):  # type: ignore[no-untyped-def]
        app = oidc.app_for_client(client_id)
        if app is None:
            return render(request, "sso/refused.html", {"unknown": True}, status=403)
        if not access.can_use(request.user, app):
            return render(request, "sso/refused.html", {"app": app}, status=403)
        self.connected_app = app
        return None

    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        refused = self._refusal(request, request.GET.get("client_id", ""))
        return refused or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        refused = self._refusal(request, request.POST.get("client_id", ""))
        return refused or super().post(request, *args, **kwargs)

    def create_authorization_response(self, request, scopes, credentials, allow):  # type: ignore[no-untyped-def]
        answer = super().create_authorization_response(request, scopes, credentials, allow)
        if allow:
            actions.trace_app_login(request, self.connected_app)
        return answer


authorize = never_cache(Authorize.as_view())
