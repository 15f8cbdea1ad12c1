"""Messaging pages: thin views over cartable.messaging.access (reads) and .actions (writes)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.access import policy
from cartable.communication import rules as communication
from cartable.directory.models import Person, School
from cartable.files.serving import file_response
from cartable.lib.errors import Refused
from cartable.lib.french import de
from cartable.lib.html import plain_text
from cartable.lib.params import int_or_404, optional_int_or_404, parse_int, valid_ints
from cartable.messaging import access, actions
from cartable.messaging.forms import ComposeForm, ReportForm, SearchForm
from cartable.messaging.models import Folder, Message, MessageAttachment, Recipient, Report, SenderFolder
from cartable.messaging.roles import describe_people
from cartable.portal import switches

PAGE_SIZE = 25
PICKER_SIZE = 20
SHOWN_RECIPIENTS = 10


def mailbox_view(view):
    """Logged in, second factor for staff (messages speak of pupils, rule C6), and a person: an account
    without one (the platform admin) has no mailbox."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if access.me(request.user) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _nav(request, current: str) -> dict:
    return {
        "current": current,
        "unread": _unread(request),
        "may_see_reports": access.may_see_reports(request.user),
    }


def _unread(request) -> int:
    found = access.summary(request.user)
    return found.unread if found is not None else 0


@dataclass
class Page:
    """A page of a mailbox without a total count: counting 10,000 messages would make a big mailbox slower
    than a small one; one row more than the page tells whether there is a next page."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class InboxRow:
    """A line of the inbox, read as plain values: building three model instances per line (copy, message,
    sender) made each line of a full page cost more than the query."""

    COLUMNS = (
        "message_id",
        "message__sender__first_name",
        "message__sender__last_name",
        "message__subject",
        "message__has_attachments",
        "read_at",
        "sent_at",
    )

    message_id: int
    sender_first_name: str
    sender_last_name: str
    subject: str
    has_attachments: bool
    read_at: Any
    sent_at: Any
    when: str = ""
    iso: str = ""

    @property
    def sender(self) -> str:
        return f"{self.sender_first_name} {self.sender_last_name.upper()}"


def _page(request, queryset, make_row: Any = None) -> Page:
    number = min(parse_int(request.GET.get("page")) or 1, 10_000)
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    if make_row is not None:
        rows = [make_row(*row) for row in rows]
    return Page(object_list=_dated(rows[:PAGE_SIZE]), number=number, has_next=len(rows) > PAGE_SIZE)


def _dated(rows: list) -> list:
    """Each row gets `when` ("23/11/2026 14:05") and `iso`: the day's format is looked up once per day, not
    once per row (formatting dates was half the cost of a mailbox row)."""
    days: dict = {}
    for row in rows:
        moment = getattr(row, "sent_at", None) or getattr(row, "created_at", None)
        if moment is None:
            continue
        local = localtime(moment)
        day = local.date()
        if day not in days:
            days[day] = date_format(day, "SHORT_DATE_FORMAT")
        row.when = f"{days[day]} {local:%H:%M}"
        row.iso = local.isoformat()
    return rows


# --- Mailboxes ----------------------------------------------------------------------------------------


@mailbox_view
def inbox(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    rows = access.search(access.received(request.user), text, prefix="message__").values_list(
        *InboxRow.COLUMNS
    )
    return render(
        request,
        "messaging/inbox.html",
        {"page": _page(request, rows, InboxRow), "form": form, "text": text, **_nav(request, "inbox")},
    )


@mailbox_view
def sent(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    rows = access.search(access.sent_by(request.user), text)
    return render(
        request,
        "messaging/sent.html",
        {"page": _page(request, rows), "form": form, "text": text, **_nav(request, "sent")},
    )


@mailbox_view
def drafts(request):
    return render(
        request,
        "messaging/drafts.html",
        {"page": _page(request, access.drafts_of(request.user)), **_nav(request, "drafts")},
    )


@mailbox_view
def trash(request):
    received = access.received(request.user, Folder.TRASH)[:100]
    mine = access.sent_by(request.user, SenderFolder.TRASH)[:100]
    return render(
        request, "messaging/trash.html", {"received": received, "mine": mine, **_nav(request, "trash")}
    )


# --- A conversation -----------------------------------------------------------------------------------


@mailbox_view
def message_page(request, pk):
    message = access.message_or_404(request.user, pk)
    if message.is_draft:
        return redirect(f"{_compose_url()}?brouillon={message.pk}")
    shown = Recipient.objects.select_related("person").order_by("person__last_name", "person__first_name")
    conversation = list(
        access.thread_messages(request.user, message).prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.select_related("stored")),
            Prefetch("recipients", queryset=shown[:SHOWN_RECIPIENTS], to_attr="shown_recipients"),
        )
    )
    me = access.me(request.user)
    copies = {
        r.message_id: r
        for r in Recipient.objects.filter(
            message_id__in=[m.pk for m in conversation], person_id=access.pid(request.user)
        )
    }
    unread_ids = {pk for pk, copy in copies.items() if copy.read_at is None}
    actions.mark_read(request.user, [m for m in conversation if m.pk in unread_ids])
    recallable = access.recallable_ids(request.user, conversation)
    entries = [
        {
            "message": m,
            "mine": m.sender_id == me,
            "copy": copies.get(m.pk),
            "was_unread": m.pk in unread_ids,
            "can_recall": m.pk in recallable,
            "others": max(0, m.recipient_count - len(m.shown_recipients)),
        }
        for m in conversation
    ]
    return render(
        request,
        "messaging/message.html",
        {
            "message": message,
            "entries": entries,
            "last": conversation[-1] if conversation else message,
            **_nav(request, ""),
        },
    )


@mailbox_view
def attachment(request, pk, attachment_pk):
    found = access.attachment_or_404(request.user, pk, attachment_pk)
    return file_response(request, found.stored, found.name)


def _mailbox_action(act, done, *, sender_only=False):
    @mailbox_view
    @require_POST
    def view(request, pk):
        message = access.message_or_404(request.user, pk)
        if sender_only and message.sender_id != access.me(request.user):
            raise Http404
        try:
            act(request.user, message)
        except Refused as refused:
            messages.error(request, refused.reason)
            return redirect("messaging:message", pk=message.pk)
        messages.success(request, done())
        return redirect(request.POST.get("next") if _safe_next(request) else "messaging:inbox")

    return view


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/messagerie/") and "//" not in target


to_trash = _mailbox_action(actions.move_to_trash, lambda: _("Le message est dans la corbeille."))
restore = _mailbox_action(actions.restore, lambda: _("Le message est revenu dans votre messagerie."))
delete = _mailbox_action(actions.delete_for_me, lambda: _("Le message est supprimé."))
recall = _mailbox_action(
    actions.recall,
    lambda: _("Le message est rappelé : ses destinataires ne le verront plus."),
    sender_only=True,
)
unread = _mailbox_action(actions.mark_unread, lambda: _("Le message est marqué comme non lu."))


@mailbox_view
def report(request, pk):
    message = access.message_or_404(request.user, pk)
    if not access.can_report(request.user, message):
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.report(request.user, message, form.cleaned_data["reason"])
        messages.success(
            request,
            _("Merci. Le message est signalé à la direction et à la vie scolaire de l’établissement."),
        )
        return redirect("messaging:message", pk=message.pk)
    return render(request, "messaging/report.html", {"message": message, "form": form, **_nav(request, "")})


# --- Writing ------------------------------------------------------------------------------------------


def _compose_url() -> str:
    from django.urls import reverse

    return reverse("messaging:compose")


def _matching_people(user, text: str, exclude: list[int]):
    words = text.split()
    if not words:
        return []
    people = communication.reachable_people(user)
    for word in words:
        people = people.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    found = list(people.exclude(pk__in=exclude).order_by("last_name", "first_name", "pk")[:PICKER_SIZE])
    return describe_people(user, found)


def _chosen_people(user, ids: list[int]) -> list[Person]:
    if not ids:
        return []
    chosen = communication.reachable_people(user).filter(pk__in=ids).order_by("last_name", "first_name")
    return describe_people(user, list(chosen))


def _compose_context(
    request, form: ComposeForm, *, to: list[int], groups: list[str], q: str = "", **extra: Any
) -> dict[str, Any]:
    verdict = communication.may_send(request.user)
    return {
        "form": form,
        "paused": None if verdict.allowed else verdict.reason,
        "audiences": access.audiences_for(request.user),
        "chosen_groups": set(groups),
        "chosen": _chosen_people(request.user, to),
        "found": _matching_people(request.user, q, to),
        "q": q,
        **_nav(request, "compose"),
        **extra,
    }


def _optional_message(user, value) -> Message | None:
    pk = optional_int_or_404(value)
    return None if pk is None else access.message_or_404(user, pk)


@mailbox_view
def compose(request):
    if request.method == "POST":
        return _compose_post(request)
    draft = (
        access.draft_or_404(request.user, request.GET["brouillon"]) if "brouillon" in request.GET else None
    )
    to: list[int] = []
    groups: list[str] = []
    initial = {}
    if draft is not None:
        to = [int(p) for p in draft.draft_to.get("people", [])]
        groups = list(draft.draft_to.get("groups", []))
        initial = {"subject": draft.subject, "body": draft.body}
    elif request.GET.get("a"):
        wanted = int_or_404(request.GET["a"])
        if communication.can_write(request.user, wanted):
            to = [wanted]
    elif request.GET.get("groupe"):
        groups = [request.GET["groupe"]]
    form = ComposeForm(initial={**initial, "to": to, "groups": groups})
    return render(
        request, "messaging/compose.html", _compose_context(request, form, to=to, groups=groups, draft=draft)
    )


def _compose_post(request):
    form = ComposeForm(request.POST, request.FILES)
    draft = access.draft_or_404(request.user, request.POST["draft"]) if request.POST.get("draft") else None
    reply_to = _optional_message(request.user, request.POST.get("reply_to"))
    forward_of = _optional_message(request.user, request.POST.get("forward_of"))
    to = valid_ints(request.POST.getlist("to"))
    groups = [str(v)[:40] for v in request.POST.getlist("groups")]
    context: dict[str, Any] = {
        "draft": draft,
        "reply_to": reply_to,
        "forward_of": forward_of,
        # A browser does not keep chosen files when a page comes back with a mistake: say so, if there were.
        "files_lost": bool(request.FILES.getlist("attachments")),
    }
    intent = request.POST.get("intent", "send")
    if intent == "find":
        q = request.POST.get("q", "")
        return render(
            request,
            "messaging/compose.html",
            _compose_context(request, form, to=to, groups=groups, q=q, **context),
        )
    if not form.is_valid():
        # A form with errors is a page like any other (200): the browser shows it without logging an error.
        page = _compose_context(request, form, to=to, groups=groups, **context)
        return render(request, "messaging/compose.html", page)
    data = actions.Draft(
        people=form.cleaned_data["to"],
        groups=form.cleaned_data["groups"],
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
        files=form.cleaned_data["attachments"],
        reply_to=reply_to,
        forward_of=forward_of,
    )
    try:
        if intent == "draft":
            saved = actions.save_draft(request.user, data, draft)
            messages.success(request, _("Brouillon enregistré."))
            return redirect(f"{_compose_url()}?brouillon={saved.pk}")
        message = actions.send_message(request.user, data, draft)
    except Refused as refused:
        form.add_error(refused.field if refused.field in ("subject", "body") else None, refused.reason)
        page = _compose_context(request, form, to=to, groups=groups, **context)
        return render(request, "messaging/compose.html", page)
    messages.success(
        request,
        _("Message envoyé à %(count)s destinataires.") % {"count": message.recipient_count}
        if message.recipient_count > 1
        else _("Message envoyé."),
    )
    return redirect("messaging:message", pk=message.pk)


@mailbox_view
def people(request):
    """The people matching what is typed in the recipient picker (htmx), among those the user may reach."""
    chosen = valid_ints(request.GET.getlist("to"))
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "messaging/compose.html#picker",
        {"found": _matching_people(request.user, q, chosen), "q": q},
    )


def _reply_context(request, original: Message, *, everyone: bool):
    me = access.me(request.user)
    wanted = {original.sender_id}
    if everyone:
        wanted |= set(Recipient.objects.filter(message=original).values_list("person_id", flat=True))
    wanted.discard(me)
    if original.sender_id == me and not everyone:
        wanted = set(Recipient.objects.filter(message=original).values_list("person_id", flat=True)) - {me}
    allowed = communication.writable_among(request.user, wanted)
    already = original.subject.lower().replace(" ", "").startswith("re:")
    subject = original.subject if already else f"Re : {original.subject}"
    return sorted(allowed), len(wanted - allowed), subject[:200]


def _prefilled(
    request, original: Message, *, to: list[int], subject: str, body: str = "", dropped: int = 0, **extra
):
    form = ComposeForm(initial={"to": to, "subject": subject, "body": body})
    context = _compose_context(request, form, to=to, groups=[], **extra)
    context["dropped"] = dropped
    return render(request, "messaging/compose.html", context)


@mailbox_view
def reply(request, pk):
    original = access.message_or_404(request.user, pk)
    to, dropped, subject = _reply_context(request, original, everyone=False)
    return _prefilled(request, original, to=to, subject=subject, dropped=dropped, reply_to=original)


@mailbox_view
def reply_all(request, pk):
    original = access.message_or_404(request.user, pk)
    to, dropped, subject = _reply_context(request, original, everyone=True)
    return _prefilled(request, original, to=to, subject=subject, dropped=dropped, reply_to=original)


@mailbox_view
def forward(request, pk):
    original = access.message_or_404(request.user, pk)
    when = date_format(localtime(original.sent_at or original.created_at), "DATETIME_FORMAT")
    quoted = "\n\n" + _(
        "---- Message transféré ----\nDe : %(sender)s\nDate : %(date)s\nObjet : %(subject)s"
    ) % {
        "sender": original.sender.full_name,
        "date": when,
        "subject": original.subject,
    }
    body = f"{quoted}\n\n{plain_text(original.body)}"
    subject = f"Tr : {original.subject}"[:200]
    return _prefilled(request, original, to=[], subject=subject, body=body, forward_of=original)


# --- Reports, for the school's staff ---------------------------------------------------------------------


def reports_view(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.may_see_reports(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    # Handling reported messages (threats, March 2024) is a duty of the school's staff: it stays open when the
    # messaging is switched off for their profile while pupils still write.
    return switches.stays_on(wrapper)


@reports_view
def reports(request):
    state = "done" if request.GET.get("etat") == "done" else "open"
    found = access.reports_visible_to(request.user).order_by("-created_at", "-pk")
    found = (
        found.filter(outcome=Report.Outcome.OPEN)
        if state == "open"
        else found.exclude(outcome=Report.Outcome.OPEN)
    )
    page = _page(
        request,
        found.prefetch_related(
            Prefetch("message__attachments", queryset=MessageAttachment.objects.select_related("stored")),
            "message__sender__memberships",
        ),
    )
    rows = [{"report": r, "may_block": access.may_block(request.user, r)} for r in page.object_list]
    # After hijacked accounts, the next step: the school's kill-switch (the platform admin has the console's).
    pausing = School.objects.filter(pk__in=policy.schools_pausing_messaging(request.user)).order_by("name")
    return render(
        request,
        "messaging/reports.html",
        {
            "page": page,
            "rows": rows,
            "kill_switches": list(pausing.values_list("uai", "name")),
            "state": state,
            "current": "reports",
            "may_see_reports": True,
            "unread": _unread(request),
        },
    )


@reports_view
@require_POST
def report_block(request, pk):
    found = access.report_or_404(request.user, pk)
    if not access.may_block(request.user, found):
        messages.error(request, _("Vous ne pouvez pas bloquer ce compte : demandez à l’administrateur ENT."))
        return redirect("messaging:reports")
    actions.block_sender(request.user, found)
    messages.success(
        request,
        _("Le compte %(of_name)s est bloqué : la personne a été déconnectée.")
        % {"of_name": de(found.message.sender.full_name)},
    )
    return redirect("messaging:reports")


@reports_view
@require_POST
def report_dismiss(request, pk):
    found = access.report_or_404(request.user, pk)
    actions.dismiss_report(request.user, found)
    messages.success(request, _("Le signalement est classé."))
    return redirect("messaging:reports")
