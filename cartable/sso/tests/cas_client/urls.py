import json
import os

import django_cas_ng.views
import requests
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django_cas_ng.models import ProxyGrantingTicket


@login_required(login_url="/accounts/login")
def whoami(request):
    return HttpResponse(
        json.dumps({"user": request.user.get_username(), "attributes": request.session.get("attributes")}),
        content_type="application/json",
    )


@login_required(login_url="/accounts/login")
def proxied(request):
    """Ask Cartable for a proxy ticket to one of this application's own addresses, then validate it as the
    proxied service would."""
    # The site's own settings (settings.py) come from these variables; read here without Cartable's settings.
    target = os.environ["CAS_CLIENT_URL"] + "/accounts/api"
    ticket = ProxyGrantingTicket.retrieve_pt(request, target)
    answer = requests.get(
        os.environ["CAS_SERVER_URL"] + "proxyValidate",
        params={"service": target, "ticket": ticket},
        timeout=10,
    )
    return HttpResponse(answer.content, content_type="application/xml")


urlpatterns = [
    path("accounts/login", django_cas_ng.views.LoginView.as_view(), name="cas_ng_login"),
    path("accounts/logout", django_cas_ng.views.LogoutView.as_view(), name="cas_ng_logout"),
    path("accounts/callback", django_cas_ng.views.CallbackView.as_view(), name="cas_ng_proxy_callback"),
    path("whoami", whoami),
    path("proxied", proxied),
]
