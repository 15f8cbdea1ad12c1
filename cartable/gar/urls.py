from django.urls import path

from cartable.gar import views

app_name = "gar"

# Mounted under admin-ecole/ before the console's own routes.
urlpatterns = [
    path("<str:uai>/gar/responsables", views.managers, name="managers"),
    path("<str:uai>/gar/responsables/<int:manager_id>/retirer", views.manager_remove, name="manager_remove"),
]
