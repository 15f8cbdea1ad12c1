from django.urls import path

from cartable.albums import views

app_name = "albums"

urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau", views.new, name="new"),
    path("<int:album_id>/", views.detail, name="detail"),
    path("<int:album_id>/photos", views.upload, name="upload"),
    path("<int:album_id>/supprimer", views.delete, name="delete"),
    path("<int:album_id>/album.zip", views.download, name="download"),
    path("photo/<int:photo_id>/", views.photo, name="photo"),
    path("photo/<int:photo_id>/eleves", views.tag, name="tag"),
    path("photo/<int:photo_id>/supprimer", views.delete_photo, name="delete_photo"),
    path("photo/<int:photo_id>/<str:size>", views.photo_file, name="photo_file"),
    path("droit-a-l-image/", views.consents, name="consents"),
    path("droit-a-l-image/<int:person_id>", views.consent, name="consent"),
]
