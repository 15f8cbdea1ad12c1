from django.urls import path

from cartable.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("envoyes", views.sent, name="sent"),
    path("brouillons", views.drafts, name="drafts"),
    path("corbeille", views.trash, name="trash"),
    path("ecrire", views.compose, name="compose"),
    path("ecrire/personnes", views.people, name="people"),
    path("<int:pk>", views.message_page, name="message"),
    path("<int:pk>/repondre", views.reply, name="reply"),
    path("<int:pk>/repondre-a-tous", views.reply_all, name="reply_all"),
    path("<int:pk>/transferer", views.forward, name="forward"),
    path("<int:pk>/corbeille", views.to_trash, name="to_trash"),
    path("<int:pk>/restaurer", views.restore, name="restore"),
    path("<int:pk>/supprimer", views.delete, name="delete"),
    path("<int:pk>/rappeler", views.recall, name="recall"),
    path("<int:pk>/non-lu", views.unread, name="unread"),
    path("<int:pk>/signaler", views.report, name="report"),
    path("<int:pk>/pieces/<int:attachment_pk>", views.attachment, name="attachment"),
    path("signalements", views.reports, name="reports"),
    path("signalements/<int:pk>/bloquer", views.report_block, name="report_block"),
    path("signalements/<int:pk>/classer", views.report_dismiss, name="report_dismiss"),
]
