from django.urls import path

from cartable.news import views

app_name = "news"

urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle", views.new, name="new"),
    path("<int:news_id>/", views.detail, name="detail"),
    path("<int:news_id>/modifier", views.edit, name="edit"),
    path("<int:news_id>/supprimer", views.delete, name="delete"),
    path("<int:news_id>/image", views.image, name="image"),
    path("piece-jointe/<int:attachment_id>", views.attachment, name="attachment"),
    path("etablissement/<str:uai>/", views.public, name="public"),
    path("etablissement/<str:uai>/reglage", views.public_settings, name="public_settings"),
]
