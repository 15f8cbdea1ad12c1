from django.urls import path

from cartable.sso import views

app_name = "sso"

urlpatterns = [
    path("applications-connectees/", views.apps, name="apps"),
    path("applications-connectees/nouvelle", views.app_new, name="app_new"),
    path("applications-connectees/<int:app_id>/", views.app_edit, name="app_edit"),
    path("applications-connectees/<int:app_id>/supprimer", views.app_delete, name="app_delete"),
    path("applications-connectees/<int:app_id>/secret", views.app_secret, name="app_secret"),
    path("admin-ecole/<str:uai>/applications-connectees", views.school_apps, name="school_apps"),
]
