from django.contrib import admin
from django.urls import include, path

from cartable.portal import views as portal_views

urlpatterns = [
    path("healthz", portal_views.healthz, name="healthz"),
    path("auth/", include("cartable.accounts.urls")),
    path("admin-ecole/", include("cartable.console.urls")),
    path("annuaire/", include("cartable.directory.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("cartable.portal.urls")),
]
