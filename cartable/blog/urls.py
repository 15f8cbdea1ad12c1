from django.urls import path

from cartable.blog import views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),
    path("classe/<int:group_id>/", views.group, name="group"),
    path("classe/<int:group_id>/nouveau", views.post_new, name="post_new"),
    path("classe/<int:group_id>/reglages", views.settings, name="settings"),
    path("billet/<int:post_id>/modifier", views.post_edit, name="post_edit"),
    path("billet/<int:post_id>/supprimer", views.post_delete, name="post_delete"),
    path("billet/<int:post_id>/moderer", views.post_moderate, name="post_moderate"),
    path("billet/<int:post_id>/commenter", views.comment, name="comment"),
    path("commentaire/<int:comment_id>/moderer", views.comment_moderate, name="comment_moderate"),
    path("fichier/<int:file_id>", views.file, name="file"),
    path("image/<int:file_id>", views.image, name="image"),
]
