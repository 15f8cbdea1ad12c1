"""The OpenID Connect provider's addresses. The namespace is django-oauth-toolkit's own ("oauth2_provider"):
its views name each other through it (the discovery document lists the others). The issuer is the site's
root, so that the discovery document is at /.well-known/openid-configuration (OpenID Connect Discovery 1.0,
section 4)."""

from django.urls import path
from oauth2_provider import views as provider

from cartable.sso import oidc_views

app_name = "oauth2_provider"

urlpatterns = [
    path(
        ".well-known/openid-configuration",
        provider.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path("oidc/authorize/", oidc_views.authorize, name="authorize"),
    path("oidc/token/", provider.TokenView.as_view(), name="token"),
    path("oidc/userinfo/", provider.UserInfoView.as_view(), name="user-info"),
    path("oidc/jwks.json", provider.JwksInfoView.as_view(), name="jwks-info"),
    path("oidc/revoke/", provider.RevokeTokenView.as_view(), name="revoke-token"),
]
