"""The password reset email: its templates, its context and how long its link works. Shared by the page that
asks for it (cartable.accounts.views) and the task that sends it (cartable.notifications.tasks)."""

from django.conf import settings
from django.utils.translation import ngettext

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
EMAIL_TEMPLATE = "accounts/email/password_reset.txt"


def lifetime() -> str:
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d heure", "%(count)d heures", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def email_context() -> dict[str, str]:
    # Links are built on SITE_URL: the Host header of the request is not trusted for emails.
    return {"site_url": settings.SITE_URL.rstrip("/"), "lifetime": lifetime()}
