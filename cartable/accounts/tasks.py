"""Background work of accounts: the emails about a person's own address, sent by the worker once the change
that asks for them has committed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cartable.accounts import email_change
from cartable.accounts.models import User


def _site_url() -> str:
    # Links are built on SITE_URL: the Host header of a request is not trusted for emails.
    return settings.SITE_URL.rstrip("/")


@task()
def send_email_confirmation(user_id: int, language: str) -> bool:
    """The link that confirms the user's pending address, sent to that address. The token is made from the
    account as it is now: if the address was replaced meanwhile, the link goes to the new one."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.pending_email:
        return False
    with translation.override(language):
        context = {
            "user": user,
            "link": _site_url() + reverse("accounts:email_confirm", args=[email_change.make_token(user)]),
            "lifetime": email_change.lifetime(),
            "site_url": _site_url(),
        }
        subject = render_to_string("accounts/email/email_confirm_subject.txt", context).strip()
        body = render_to_string("accounts/email/email_confirm.txt", context)
    send_mail(subject, body, None, [user.pending_email])
    return True


@task()
def send_email_changed_notice(old_email: str, username: str, language: str) -> None:
    """To the address the account no longer uses: it was replaced or removed, and what to do if the owner
    did not ask for it."""
    with translation.override(language):
        context = {"username": username, "site_url": _site_url()}
        subject = render_to_string("accounts/email/email_changed_subject.txt", context).strip()
        body = render_to_string("accounts/email/email_changed.txt", context)
    send_mail(subject, body, None, [old_email])
