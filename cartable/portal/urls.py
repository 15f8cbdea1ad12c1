from django.urls import path

from cartable.portal import views

app_name = "portal"

urlpatterns = []
