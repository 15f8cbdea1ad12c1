"""The SAML 2 identity provider's addresses, under /saml/ (the metadata's address is our entity id)."""

from django.urls import path

from cartable.sso import saml_views

app_name = "saml"

urlpatterns = [
    path("metadata", saml_views.metadata, name="metadata"),
    path("sso", saml_views.sso, name="sso"),
    path("sso/reprendre", saml_views.resume, name="resume"),
]
