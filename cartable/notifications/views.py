from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cartable.access.policy import viewer_for
from cartable.lib.params import local_url, optional_int_or_404
from cartable.notifications import access, actions, counts, delivery, timeline
from cartable.notifications.forms import PreferencesForm
from cartable.notifications.kinds import KINDS
from cartable.notifications.preferences import offered_kinds, preferences_initial

PAGE_SIZE = 25


def _child_id(request) -> int | None:
    """?enfant=<id> narrows a guardian's timeline to one child; anything else than one of theirs is a 404."""
    child_id = optional_int_or_404(request.GET.get("enfant"))
    if child_id is None:
        return None
    if child_id not in viewer_for(request.user).child_ids:
        raise Http404
    return child_id


def _back(request, fallback: str = "notifications:list"):
    return redirect(local_url(request.POST.get("next"), reverse(fallback)))


@login_required
def notification_list(request):
    viewer = viewer_for(request.user)
    child_id = _child_id(request)
    page = Paginator(access.notifications_visible_to(request.user, child_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    me = viewer.person_id or 0
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "entries": timeline.entries(list(page.object_list), me),
            "child_id": child_id,
            "unread": counts.unread_for(request.user),
        },
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = access.notification_or_404(request.user, pk)
    actions.mark_read(request.user, notification)
    if request.htmx:
        notification.refresh_from_db(fields=["read_at"])
        me = viewer_for(request.user).person_id or 0
        return render(
            request,
            "notifications/_read_entry.html",
            {
                "entry": timeline.entry(timeline.row(notification, me)),
                "next": request.POST.get("next", ""),
                # The header's count follows, and the home widget's when the entry is on the home page
                # (htmx swaps them out of band).
                "unread": counts.unread_count(me),
                "on_home": urlsplit(request.htmx.current_url or "").path == reverse("portal:home"),
            },
        )
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    actions.mark_all_read(request.user)
    messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _back(request)


@login_required
def open_notification(request, pk: int):
    """Follow an entry: it is read now, and the reader lands where the event happened."""
    notification = access.notification_or_404(request.user, pk)
    actions.mark_read(request.user, notification)
    url = notification.event.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:list")


@login_required
def preferences(request):
    """The notifications section of /preferences posts here; errors are shown on this page, nothing lost."""
    person_id = viewer_for(request.user).person_id
    if person_id is None:
        raise Http404
    offered = offered_kinds(request.user)
    if request.method != "POST":
        form = PreferencesForm(initial=preferences_initial(person_id, request.user), kinds=offered)
        return render(request, "notifications/preferences.html", {"form": form})
    # A kind not offered to this person has no field: a forged choice about it is ignored.
    form = PreferencesForm(request.POST, kinds=offered)
    if not form.is_valid():
        return render(request, "notifications/preferences.html", {"form": form})
    actions.save_preferences(
        request.user,
        channels=form.channels(),
        quiet_enabled=form.cleaned_data["quiet_enabled"],
        quiet_start=form.cleaned_data["quiet_start"],
        quiet_end=form.cleaned_data["quiet_end"],
        email_off=form.cleaned_data["email_off"],
        sms_phone=form.cleaned_data["sms_phone"],
        request=request,
    )
    messages.success(request, _("Vos préférences de notification sont enregistrées."))
    return redirect("portal:preferences")


@csrf_exempt  # the signed token is the authority; mail clients post here without a session (RFC 8058)
def unsubscribe(request, token: str):
    """From the link of an email, without logging in: GET shows what will stop, POST stops it."""
    found = delivery.read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    person_id, kind = found
    label = KINDS[kind].label if kind in KINDS else None
    if request.method == "POST":
        if actions.unsubscribe(person_id, kind) is None:
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token})
