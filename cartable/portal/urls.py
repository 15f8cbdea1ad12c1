from django.urls import path

from cartable.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("me", views.me, name="me"),
    path("me/contributions", views.contributions, name="contributions"),
    path("me/coordonnees", views.contact, name="contact"),
    path("preferences", views.preferences, name="preferences"),
    path("charte", views.charter, name="charter"),
    path("informations", views.notice, name="notice"),
]
