"""Django's admin (for the platform admin, ADMC) behind Cartable's own login and second factor.

Django's admin has its own login form: it is neither throttled nor traced, and it would let a password
alone open every pupil's record. Here the admin has no login form of its own: people are sent to
Cartable's login (throttled, traced) and to the second-factor step (rule C6); only a session that passed
the second factor may use the admin.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


class CartableAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        verified = getattr(request.user, "is_verified", lambda: False)()
        return super().has_permission(request) and verified

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = index
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        user = request.user
        if not user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
        if user.is_active and user.is_staff:
            return HttpResponseRedirect(f"{reverse('accounts:mfa')}?{urlencode({'next': next_url})}")
        # Logged in without the rights: the admin does not exist for them.
        raise Http404


class CartableAdminConfig(AdminConfig):
    default_site = "cartable.accounts.admin_site.CartableAdminSite"
