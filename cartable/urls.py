from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from cartable.portal import views as portal_views


def _plain_static(name: str) -> str:
    return f"{settings.STATIC_URL}{name}"


urlpatterns = [
    path("healthz", portal_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the pages link to. A permanent redirect must outlive the next
    # deployment: it leads to the icon's plain name, which stays, not to the hashed name of today's icon.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(_plain_static, str)("cartable/icons/app.svg"), permanent=True),
        name="favicon",
    ),
    path("auth/", include("cartable.accounts.urls")),
    # Console pages owned by other apps come first: communication rules, imports (feeds).
    path("admin-ecole/", include("cartable.communication.urls")),
    # The CAS 3.0 server (single sign-on to the connected applications) and their pages.
    path("cas/", include("cartable.sso.cas_urls")),
    # The SAML 2 identity provider (the GAR's digital textbooks, the applications speaking SAML).
    path("saml/", include("cartable.sso.saml_urls")),
    path("", include("cartable.sso.urls")),
    # The OpenID Connect provider: /.well-known/openid-configuration and /oidc/….
    path("", include("cartable.sso.oidc_urls")),
    path("admin-ecole/", include("cartable.feeds.urls")),
    path("admin-ecole/", include("cartable.gar.urls")),
    path("admin-ecole/", include("cartable.console.urls")),
    path("annuaire/", include("cartable.directory.urls")),
    # The teacher of an école class looks after the pupils' passwords and cards (not the admin console).
    path("comptes-eleves/", include("cartable.console.pupil_accounts_urls")),
    path("messagerie/", include("cartable.messaging.urls")),
    path("notifications/", include("cartable.notifications.urls")),
    path("emploi-du-temps/", include("cartable.timetable.urls")),
    path("cahier-de-textes/", include("cartable.homework.urls")),
    path("actualites/", include("cartable.news.urls")),
    path("blog/", include("cartable.blog.urls")),
    path("liaison/", include("cartable.liaison.urls")),
    path("albums/", include("cartable.albums.urls")),
    path("classes-virtuelles/", include("cartable.visio.urls")),
    path("mediacentre/", include("cartable.gar.mediacentre_urls")),
    path("django-admin/", admin.site.urls),
    path("", include("cartable.portal.urls")),
]
