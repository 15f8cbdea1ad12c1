from django.urls import path

from cartable.homework import views

app_name = "homework"

urlpatterns = [
    path("", views.index, name="index"),
    path("a-faire", views.todo, name="todo"),
    path("classe/<int:group_id>/", views.group, name="group"),
    path("classe/<int:group_id>/viser", views.visa_sign, name="visa_sign"),
    path("seance/nouvelle", views.entry_new, name="entry_new"),
    path("seance/<int:entry_id>/modifier", views.entry_edit, name="entry_edit"),
    path("seance/<int:entry_id>/supprimer", views.entry_delete, name="entry_delete"),
    path("travail/<int:homework_id>/fait", views.done, name="done"),
    path("piece-jointe/<int:attachment_id>", views.attachment, name="attachment"),
    path("visas", views.visas, name="visas"),
]
