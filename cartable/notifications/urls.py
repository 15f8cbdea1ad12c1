from django.urls import path

from cartable.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/lue", views.mark_read, name="read"),
    path("<int:pk>/ouvrir", views.open_notification, name="open"),
    path("tout-lu", views.mark_all_read, name="read_all"),
    path("preferences", views.preferences, name="preferences"),
    path("desabonnement/<str:token>", views.unsubscribe, name="unsubscribe"),
]
