from django.urls import path

from cartable.timetable import views

app_name = "timetable"

urlpatterns = [
    path("", views.week, name="week"),
    path("classes", views.index, name="index"),
    path("classe/<int:group_id>", views.group_week, name="group"),
    path("salle/<int:room_id>", views.room_week, name="room"),
    path("gestion/", views.manage_home, name="manage"),
    path("gestion/<str:uai>/", views.manage_school, name="manage_school"),
    path("gestion/<str:uai>/cours/nouveau", views.course_new, name="course_new"),
    path("gestion/<str:uai>/creneaux", views.slot_add, name="slot_add"),
    path("gestion/<str:uai>/absence", views.teacher_absent, name="teacher_absent"),
    path("gestion/creneau/<int:slot_id>/supprimer", views.slot_delete, name="slot_delete"),
    path("gestion/cours/<int:course_id>", views.course_edit, name="course_edit"),
    path("gestion/cours/<int:course_id>/fin", views.course_end, name="course_end"),
    path("gestion/cours/<int:course_id>/modification", views.change_new, name="change_new"),
    path("gestion/modification/<int:change_id>/supprimer", views.change_delete, name="change_delete"),
    path("import/<str:uai>", views.import_page, name="import"),
    path("import/<str:uai>/confirmer", views.import_confirm, name="import_confirm"),
    path("agenda/nouvelle-adresse", views.token_create, name="token_create"),
    path("agenda/<int:token_id>/revoquer", views.token_revoke, name="token_revoke"),
    path("ical/<str:token>.ics", views.feed, name="feed"),
]
