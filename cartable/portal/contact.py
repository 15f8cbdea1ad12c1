"""The form of a person's contact details (email address, mobile number), shared by the page "Mes
coordonnées" and the last step of an account's activation (cartable.accounts.views)."""

from django.contrib import messages
from django.utils.translation import gettext as _

from cartable.access.policy import viewer_for
from cartable.accounts import email_change
from cartable.lib.errors import Refused
from cartable.notifications import access as notifications_access
from cartable.portal import actions
from cartable.portal.forms import ContactForm


def contact_form_for(request, *, ask_password: bool) -> ContactForm:
    """The contact details form, bound on a POST, with the current address and mobile number."""
    initial = {"email": request.user.email, "sms_phone": notifications_access.own_sms_phone(request.user)}
    return ContactForm(
        request.user,
        request.POST if request.method == "POST" else None,
        initial=initial,
        ask_password=ask_password,
        with_phone=viewer_for(request.user).person_id is not None,
    )


def save_contact_form(request, form) -> bool:
    """Save a valid form and tell the person what happens next; False (with the form's error) when they
    asked for too many confirmation emails."""
    try:
        saved = actions.save_contact_details(
            request.user,
            viewer_for(request.user).person_id,
            email=form.cleaned_data["email"],
            phone=form.cleaned_data.get("sms_phone"),
            request=request,
        )
    except Refused as refusal:
        form.add_error(refusal.field, refusal.reason)
        return False
    if saved.confirmation_sent_to:
        messages.success(
            request,
            _(
                "Un lien de confirmation est envoyé à %(email)s. Ouvrez-le pour utiliser cette adresse ; "
                "d'ici là, rien ne change."
            )
            % {"email": saved.confirmation_sent_to},
        )
    elif saved.email_removed:
        messages.success(request, _("Votre adresse électronique est retirée."))
    if saved.phone_changed:
        messages.success(request, _("Votre numéro de mobile est enregistré."))
    if not (saved.confirmation_sent_to or saved.email_removed or saved.phone_changed):
        messages.info(request, _("Rien n'a changé."))
    return True


def contact_context(request, form) -> dict:
    return {"form": form, "pending_email": request.user.pending_email, "lifetime": email_change.lifetime()}
