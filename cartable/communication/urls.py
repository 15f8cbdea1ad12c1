from django.urls import path

from cartable.communication import views

app_name = "communication"

# Mounted under admin-ecole/ before the console's own routes.
urlpatterns = [
    path("communication/plateforme", views.platform, name="platform"),
    path("<str:uai>/communication/", views.rules, name="rules"),
    path("<str:uai>/communication/verifier", views.checker, name="checker"),
    path("<str:uai>/communication/coupure", views.kill_switch, name="kill_switch"),
]
