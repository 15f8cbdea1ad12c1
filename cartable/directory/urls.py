from django.urls import path

from cartable.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("personne/<int:person_id>", views.person, name="person"),
]
