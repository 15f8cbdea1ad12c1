from django.urls import path

from cartable.visio import views

app_name = "visio"

urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle", views.new, name="new"),
    path("<int:class_id>/", views.detail, name="detail"),
    path("<int:class_id>/modifier", views.edit, name="edit"),
    path("<int:class_id>/rejoindre", views.join, name="join"),
    path("<int:class_id>/terminer", views.end, name="end"),
    path("<int:class_id>/annuler", views.cancel, name="cancel"),
]
