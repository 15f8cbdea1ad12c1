from django.urls import path

from cartable.access import views

app_name = "access"

# Mounted under admin-ecole/ before the console's own routes.
urlpatterns = [
    path("communication/plateforme", views.platform, name="platform"),
    path("<str:uai>/communication/", views.rules, name="rules"),
    path("<str:uai>/communication/verifier", views.checker, name="checker"),
    path("<str:uai>/communication/coupure", views.kill_switch, name="kill_switch"),
    path("<str:uai>/eleves/reinitialisation", views.pupils_reset, name="pupils_reset"),
]
