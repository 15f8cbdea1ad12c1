from django.urls import path

from cartable.gar import views

app_name = "mediacentre"

# Mounted under mediacentre/.
urlpatterns = [
    path("", views.mediacentre, name="index"),
    path("favori/lien/<int:link_id>", views.favourite_link, name="favourite_link"),
    # The GAR's identifiers hold slashes ("ark:/12313/…").
    path("favori/<str:uai>/<path:resource_id>", views.favourite_resource, name="favourite_resource"),
    path("etablissement/<str:uai>/liens", views.links, name="links"),
    path("etablissement/<str:uai>/liens/nouveau", views.link_new, name="link_new"),
    path("etablissement/<str:uai>/liens/<int:link_id>/modifier", views.link_edit, name="link_edit"),
    path("etablissement/<str:uai>/liens/<int:link_id>/supprimer", views.link_delete, name="link_delete"),
]
