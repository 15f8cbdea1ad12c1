"""The SAML 2 identity provider's pages: its metadata, the single sign-on address (HTTP-Redirect and
HTTP-POST AuthnRequests) and where it resumes once the person has logged in. The protocol is in
cartable/sso/saml.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from cartable.accounts.middleware import with_next
from cartable.lib.errors import Refused
from cartable.sso import actions, saml

# The accepted AuthnRequest kept while the person logs in.
PENDING_KEY = "sso_saml_pending"


def metadata(request):
    return HttpResponse(saml.metadata(), content_type="application/samlmetadata+xml; charset=utf-8")


# The providers post their AuthnRequests from their own site: no CSRF token can come with them (the request
# only asks; the answer goes to the registered ACS address only).
@csrf_exempt
@never_cache
def sso(request):
    if request.method == "POST":
        data, binding = request.POST, BINDING_HTTP_POST
    else:
        data, binding = request.GET, BINDING_HTTP_REDIRECT
    pending = saml.read_request(data.get("SAMLRequest", ""), binding, data.get("RelayState", ""))
    if pending is None:
        return render(request, "sso/refused.html", {"unknown": True}, status=403)
    if not request.user.is_authenticated:
        request.session[PENDING_KEY] = pending.as_session()
        return redirect(with_next("accounts:login", reverse("saml:resume")))
    return _answer(request, pending)


@never_cache
@login_required
def resume(request):
    pending = saml.Pending.from_session(request.session.pop(PENDING_KEY, None))
    if pending is None:
        return redirect("portal:home")
    return _answer(request, pending)


def _answer(request, pending: saml.Pending):
    found = saml.app_of(pending)
    app = found[1] if found else None
    try:
        acs_url, response, relay_state = actions.answer_saml_request(request.user, request, pending)
    except PermissionDenied:
        return render(request, "sso/refused.html", {"app": app, "unknown": app is None}, status=403)
    except Refused as refusal:
        return render(request, "sso/refused.html", {"app": app, "reason": refusal.reason}, status=403)
    context = {"acs_url": acs_url, "response": response, "relay_state": relay_state, "app": app}
    page = render(request, "sso/saml_post.html", context)
    # The form posts to the provider's registered ACS address: the policy lets this page's form go there.
    parts = urlsplit(acs_url)
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    policy["form-action"] = [*policy.get("form-action", []), f"{parts.scheme}://{parts.netloc}"]
    page._csp_config = policy  # type: ignore[attr-defined]
    return page
