"""Who sees which message, built on the one access policy and the communication rules.

A person sees a message they sent (not deleted) or one they received (not deleted, not recalled). Every lookup
by id goes through here, so another person's message answers 404. Who may be written to is never decided here:
`cartable.communication.rules` answers, for people and for the groups offered in the composer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartable.access import policy
from cartable.communication import rules as communication
from cartable.console.access import belongs_only_to, can_manage_account
from cartable.directory.models import (
    STAFF_PROFILES,
    Function,
    Group,
    Guardianship,
    Membership,
    Person,
    School,
)
from cartable.lib import facts
from cartable.lib.french import de
from cartable.lib.params import int_or_404, parse_int
from cartable.messaging.models import Folder, Message, MessageAttachment, Recipient, Report, SenderFolder


def me(user: Any) -> int | None:
    return policy.viewer_for(user).person_id


def pid(user: Any) -> int:
    """My person id for a query; 0 (nobody) for an account without a person."""
    return policy.viewer_for(user).person_id or 0


def person_or_404(user: Any) -> int:
    person_id = me(user)
    if person_id is None:
        raise Http404
    return person_id


# --- Mailboxes ----------------------------------------------------------------------------------------


def received(user: Any, folder: str = Folder.INBOX) -> QuerySet[Recipient]:
    """My copies of the messages I received in `folder`, newest first (one index range)."""
    return (
        Recipient.objects.filter(person_id=pid(user), folder=folder)
        .select_related("message__sender")
        # A list shows subjects and senders: the bodies stay in the database.
        .defer("message__body", "message__search_text", "message__draft_to")
        .order_by("-sent_at", "-pk")
    )


def unread_count(user: Any) -> int:
    person_id = me(user)
    if person_id is None:
        return 0
    return Recipient.objects.filter(person_id=person_id, folder=Folder.INBOX, read_at__isnull=True).count()


def sent_by(user: Any, folder: str = SenderFolder.SENT) -> QuerySet[Message]:
    return Message.objects.filter(sender_id=me(user), sender_folder=folder, sent_at__isnull=False).order_by(
        "-sent_at", "-pk"
    )


def drafts_of(user: Any) -> QuerySet[Message]:
    return Message.objects.filter(
        sender_id=me(user), sent_at__isnull=True, sender_folder=SenderFolder.SENT
    ).order_by("-created_at", "-pk")


def messages_visible_to(user: Any) -> QuerySet[Message]:
    """Every message the user may read: sent by them (drafts included) or received and still there."""
    person_id = me(user)
    if person_id is None:
        return Message.objects.none()
    mine = Recipient.objects.filter(person_id=person_id).exclude(folder=Folder.DELETED).values("message_id")
    return Message.objects.filter(
        (Q(sender_id=person_id) & ~Q(sender_folder=SenderFolder.DELETED))
        | (Q(pk__in=mine) & Q(sent_at__isnull=False) & Q(recalled_at__isnull=True))
    )


def message_or_404(user: Any, pk: Any) -> Message:
    message = messages_visible_to(user).select_related("sender", "school").filter(pk=int_or_404(pk)).first()
    if message is None:
        raise Http404
    return message


def draft_or_404(user: Any, pk: Any) -> Message:
    message = drafts_of(user).filter(pk=int_or_404(pk)).first()
    if message is None:
        raise Http404
    return message


def attachment_or_404(user: Any, message_pk: Any, pk: Any) -> MessageAttachment:
    message = message_or_404(user, message_pk)
    attachment = (
        MessageAttachment.objects.select_related("stored").filter(message=message, pk=int_or_404(pk)).first()
    )
    if attachment is None:
        raise Http404
    return attachment


def can_recall(user: Any, message: Message) -> bool:
    return (
        message.sender_id == me(user)
        and message.sent_at is not None
        and message.recalled_at is None
        and not Recipient.objects.filter(message=message, read_at__isnull=False).exists()
    )


def recallable_ids(user: Any, messages: Sequence[Message]) -> set[int]:
    """Which of a conversation's messages `can_recall` would allow, in one query for them all."""
    person_id = me(user)
    mine = [m.pk for m in messages if m.sender_id == person_id and m.sent_at and m.recalled_at is None]
    if not mine:
        return set()
    read = Recipient.objects.filter(message_id__in=mine, read_at__isnull=False).values_list(
        "message_id", flat=True
    )
    return set(mine) - set(read)


def can_report(user: Any, message: Message) -> bool:
    person_id = pid(user)
    return message.sender_id != person_id and message.sent_at is not None


def thread_messages(user: Any, message: Message) -> QuerySet[Message]:
    """The conversation of `message`, oldest first, as far as the user may read it (drafts left out)."""
    root = message.thread_root_id
    return (
        messages_visible_to(user)
        .filter(Q(pk=root) | Q(thread_id=root))
        .filter(sent_at__isnull=False)
        .select_related("sender")
        .order_by("sent_at", "pk")
    )


def search(queryset: QuerySet[Any], text: str, prefix: str = "") -> QuerySet[Any]:
    """Every word must appear in the subject, the body or the sender's name, accents and case ignored."""
    from cartable.messaging.text import folded

    for word in folded(text).split():
        queryset = queryset.filter(**{f"{prefix}search_text__contains": word})
    return queryset


# --- Reports (for the school's staff) -----------------------------------------------------------------


def handles_reports(user: Any, school: School | int | None) -> bool:
    """Direction, vie scolaire and ADML of the message's school (and the platform admin) handle reports."""
    if policy.is_platform_admin(user):
        return True
    return school is not None and policy.school_wide_staff_of(user, school)


def reports_visible_to(user: Any) -> QuerySet[Report]:
    viewer = policy.viewer_for(user)
    reports = Report.objects.select_related("message__sender", "reporter", "school", "handled_by")
    if viewer.is_platform_admin:
        return reports
    return reports.filter(school_id__in=viewer.schools_with_function(*policy.SCHOOL_WIDE_FUNCTIONS))


def may_see_reports(user: Any) -> bool:
    viewer = policy.viewer_for(user)
    return viewer.is_platform_admin or bool(viewer.schools_with_function(*policy.SCHOOL_WIDE_FUNCTIONS))


def hears_of_reports(viewer: policy.Viewer) -> bool:
    """Direction and vie scolaire are told of reported messages (actions._tell_the_staff): the kind is
    offered in their notification preferences only."""
    return bool(viewer.schools_with_function(Function.DIRECTION, Function.VIE_SCOLAIRE))


def report_or_404(user: Any, pk: Any) -> Report:
    report = reports_visible_to(user).filter(pk=int_or_404(pk)).first()
    if report is None:
        raise Http404
    return report


def may_block(user: Any, found: Report) -> bool:
    """The school's ADML blocks through the console's rules; direction and vie scolaire may block pupils and
    parents of their school, never a member of staff (that stays with the ADML), nor someone who also belongs
    to another school (blocking reaches every school of the account: cartable.console.access)."""
    target = found.message.sender
    if found.school_id is None:
        return policy.is_platform_admin(user)
    if policy.admin_of(user, found.school_id):
        return can_manage_account(user, target.user)
    if not policy.school_wide_staff_of(user, found.school_id):
        return False
    if target.user_id == user.pk:
        return False
    profiles = set(Membership.objects.filter(person=target).values_list("profile", flat=True))
    if not profiles or profiles - {"Student", "Relative"}:
        return False
    return belongs_only_to(target.user, {found.school_id})


# --- Groups of recipients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """A group offered in the composer, e.g. "Parents d'élèves de 6A", with the people it reaches for this
    sender (only those the communication rules let them write to)."""

    code: str
    label: str | Promise
    person_ids: frozenset[int]

    @property
    def size(self) -> int:
        return len(self.person_ids)


def audiences_for(user: Any, only: set[str] | None = None) -> list[Audience]:
    """The groups the user may write to: for each group, its members filtered by the communication rules in
    one bulk check; a group of which the user may reach nobody is not offered. A constant number of queries.
    `only`: just these codes (when sending), the others are not computed."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None or (only is not None and not only):
        return []
    wanted = _wanted_ids(only)
    school_wide = viewer.schools_with_function(*policy.SCHOOL_WIDE_FUNCTIONS)
    group_filter = Q(pk__in=viewer.taught_group_ids) | Q(school_id__in=school_wide, year__is_current=True)
    if only is not None:
        group_filter &= Q(pk__in=wanted["pupils"] | wanted["parents"]) | Q(
            school_id__in=wanted["parents-school"] & school_wide, year__is_current=True
        )
    groups = {}
    if viewer.taught_group_ids or school_wide:
        groups = {g.pk: g for g in Group.objects.filter(group_filter).select_related("school")}
    members: dict[str, set[int]] = defaultdict(set)
    labels: dict[str, Any] = {}
    multi_school = len(viewer.school_ids) > 1

    def named(label: Any, school_name: str) -> Any:
        return f"{label} ({school_name})" if multi_school else label

    if groups:
        pupils = policy.current_enrolments().filter(group_id__in=groups).values_list("group_id", "student_id")
        pupil_groups: dict[int, set[int]] = defaultdict(set)
        for group_id, student_id in pupils:
            members[f"pupils:{group_id}"].add(student_id)
            pupil_groups[student_id].add(group_id)
        if only is None or wanted["parents"] or wanted["parents-school"]:
            guardians = Guardianship.objects.filter(
                student_id__in=policy.current_enrolments().filter(group_id__in=groups).values("student_id"),
                legal_guardian=True,
            ).values_list("student_id", "relative_id")
            for student_id, relative_id in guardians:
                for group_id in pupil_groups[student_id]:
                    members[f"parents:{group_id}"].add(relative_id)
                    members[f"parents-school:{groups[group_id].school_id}"].add(relative_id)
        for group_id, group in groups.items():
            labels[f"parents:{group_id}"] = named(
                _("Parents d’élèves %(of_group)s") % {"of_group": de(group.name)}, group.school.name
            )
            labels[f"pupils:{group_id}"] = named(
                _("Élèves %(of_group)s") % {"of_group": de(group.name)}, group.school.name
            )
    child_ids = set(viewer.child_ids) if only is None else set(viewer.child_ids) & wanted["teachers"]
    if child_ids:
        children = {p.pk: p for p in Person.objects.filter(pk__in=child_ids)}
        teachers = policy.current_teaching_assignments().filter(group__enrolments__student_id__in=child_ids)
        for child_id, teacher_id in teachers.values_list("group__enrolments__student_id", "teacher_id"):
            members[f"teachers:{child_id}"].add(teacher_id)
        for child_id, child in children.items():
            labels[f"teachers:{child_id}"] = _("Enseignants de mon enfant %(name)s") % {
                "name": child.first_name
            }
    school_ids = (
        set(viewer.school_ids)
        if only is None
        else set(viewer.school_ids) & (wanted["staff"] | wanted["parents-school"])
    )
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids)} if school_ids else {}
    if only is None or wanted["staff"]:
        staff = Membership.objects.filter(school_id__in=schools, profile__in=STAFF_PROFILES).values_list(
            "school_id", "person_id"
        )
        for school_id, person_id in staff:
            members[f"staff:{school_id}"].add(person_id)
    for school_id, school in schools.items():
        labels[f"staff:{school_id}"] = _("Personnel %(of_school)s") % {"of_school": de(school.name)}
        if school_id in school_wide:
            labels[f"parents-school:{school_id}"] = _("Tous les parents %(of_school)s") % {
                "of_school": de(school.name)
            }

    if only is not None:
        labels = {code: label for code, label in labels.items() if code in only}
    everyone = set().union(*(members[code] for code in labels)) if labels else set()
    reachable = communication.writable_among(user, everyone)
    found = []
    for code, label in labels.items():
        ids = frozenset(members.get(code, set()) & reachable)
        if ids:
            found.append(Audience(code, label, ids))
    return sorted(found, key=_audience_order)


KINDS = ("teachers", "parents", "pupils", "staff", "parents-school")


def _wanted_ids(only: set[str] | None) -> dict[str, set[int]]:
    """{"parents": {group ids}, ...} of the codes asked for ("parents:12")."""
    wanted: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for code in only or ():
        kind, _sep, value = code.partition(":")
        number = parse_int(value)
        if kind in wanted and number is not None:
            wanted[kind].add(number)
    return wanted


def _audience_order(audience: Audience) -> tuple[int, str]:
    kind = audience.code.split(":", 1)[0]
    return (KINDS.index(kind), str(audience.label))


def audiences_by_code(user: Any, only: set[str] | None = None) -> dict[str, Audience]:
    return {a.code: a for a in audiences_for(user, only)}


# --- The summary on the home page and in the menu -------------------------------------------------------

SUMMARY_LATEST = 3
FORGET_AT_ONCE = 20


@dataclass(frozen=True)
class Latest:
    message_id: int
    sender: str
    subject: str
    sent_at: Any
    read: bool


@dataclass(frozen=True)
class Summary:
    unread: int
    latest: tuple[Latest, ...]


def _summary_version(person_id: int) -> str:
    return f"messaging:mailbox:{person_id}"


def summary(user: Any) -> Summary | None:
    """My unread count and latest messages, with no query on the home page while my mailbox is unchanged:
    every action that changes it calls forget_summaries (see cartable.lib.facts)."""

    person_id = me(user)
    if person_id is None:
        return None

    def load() -> tuple[int, tuple[Any, ...]]:
        rows = tuple(
            (r.message_id, r.message.sender.full_name, r.message.subject, r.sent_at, r.read_at is not None)
            for r in received(user)[:SUMMARY_LATEST]
        )
        return (unread_count(user), rows)

    def build(found: tuple[int, tuple[Any, ...]]) -> Summary:
        unread, latest = found
        return Summary(unread, tuple(Latest(*row) for row in latest))

    return facts.cached(f"messaging:summary:{person_id}", [_summary_version(person_id)], load, build)


def forget_summaries(person_ids: Any) -> None:
    """The summaries of these people are read again at their next page: once the transaction has committed
    (a page read before the commit may have kept the state before the change), and for a few people also at
    once, so that the rest of this request sees the change."""

    keys = [_summary_version(pid) for pid in person_ids]
    facts.bump(keys, at_once=len(keys) <= FORGET_AT_ONCE)
