from django.urls import path

from cartable.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login", views.login, name="login"),
    path("logout", views.logout, name="logout"),
    path("activate", views.activate, name="activate"),
    path("activate/password", views.activate_password, name="activate_password"),
    path("activate/contact", views.activate_contact, name="activate_contact"),
    path("welcome", views.welcome, name="welcome"),
    path("email/confirm/<str:token>", views.email_confirm, name="email_confirm"),
    path("charter", views.charter, name="charter"),
    path("mfa", views.mfa, name="mfa"),
    path("mfa/recovery-codes", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("mfa/reset-recovery", views.mfa_recovery_reset, name="mfa_recovery_reset"),
    path("sessions", views.sessions, name="sessions"),
    path("sessions/end-all", views.end_all_sessions, name="end_all_sessions"),
    path("password/change", views.password_change, name="password_change"),
    path("password/reset", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/done", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password/reset/<uidb64>/<token>",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
