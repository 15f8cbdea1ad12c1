import json

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
    from django.conf import settings

    target = settings.CAS_PROXY_CALLBACK.rsplit("/", 1)[0] + "/api"
    ticket = ProxyGrantingTicket.retrieve_pt(request, target)
    answer = requests.get(
        settings.CAS_SERVER_URL + "proxyValidate", params={"service": target, "ticket": ticket}, timeout=10
    )
    return HttpResponse(answer.content, content_type="application/xml")


urlpatterns = [
    path("accounts/login", django_cas_ng.views.LoginView.as_view(), name="cas_ng_login"),
    path("accounts/logout", django_cas_ng.views.LogoutView.as_view(), name="cas_ng_logout"),
    path("accounts/callback", django_cas_ng.views.CallbackView.as_view(), name="cas_ng_proxy_callback"),
    path("whoami", whoami),
    path("proxied", proxied),
]
