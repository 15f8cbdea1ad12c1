"""Who gets an email about which notification, and when.

Each person chooses per event kind: at once, in the daily digest, or never (the kind gives the default). No
email is sent during their quiet hours (by default 20:00–07:00, Paris time): what would have gone out at once
waits for the end of the quiet hours and goes out then, gathered in one email. Only unread notifications are
emailed, each at most once (`Notification.emailed_at`, set when it left by email or SMS). People without an
email address are skipped. Those who gave a mobile number also get the immediate ones by SMS (cartable.
notifications.sms), under the same quiet hours. Nothing leaves about an app the recipient's school has
switched off for them since (cartable.portal.switches).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.directory.models import Person
from cartable.notifications import sms
from cartable.notifications.kinds import KINDS, Channel
from cartable.notifications.models import DeliverySettings, DigestRun, Notification, Preference
from cartable.portal.switches import memberships_of, notified_by

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "cartable.notifications.unsubscribe"
ALL_KINDS = "*"  # an unsubscribe token for every email at once (digests gather several kinds)
# An unsubscribe link keeps working this long after the email was sent.
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600
# Older unread notifications are no longer worth an email.
PENDING_WINDOW = datetime.timedelta(days=7)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.NOTIFICATIONS_TIME_ZONE)


def digest_time() -> datetime.time:
    """When the daily digest leaves (Paris time), NOTIFICATIONS_DIGEST_TIME "HH:MM", 07:30 by default."""
    hours, minutes = settings.NOTIFICATIONS_DIGEST_TIME.split(":")
    return datetime.time(int(hours), int(minutes))


@dataclass
class Recipient:
    """What delivery needs to know about one person."""

    person_id: int
    email: str
    language: str
    quiet_enabled: bool = True
    quiet_start: datetime.time = DeliverySettings.DEFAULT_QUIET_START
    quiet_end: datetime.time = DeliverySettings.DEFAULT_QUIET_END
    email_off: bool = False
    phone: str = ""  # immediate notifications also go by SMS when set
    channels: dict[str, str] = field(default_factory=dict)  # kind code -> channel, where chosen

    @property
    def wants_email(self) -> bool:
        return bool(self.email) and not self.email_off

    @property
    def reachable(self) -> bool:
        return self.wants_email or bool(self.phone)

    def channel(self, kind: str) -> str:
        if kind not in KINDS:
            return Channel.OFF
        return self.channels.get(kind, KINDS[kind].default_channel)

    def quiet_until(self, now: datetime.datetime) -> datetime.datetime | None:
        """The end of the quiet hours when `now` falls inside them, else None."""
        return quiet_until(self.quiet_enabled, self.quiet_start, self.quiet_end, now)


def quiet_until(
    enabled: bool, start: datetime.time, end: datetime.time, now: datetime.datetime
) -> datetime.datetime | None:
    if not enabled or start == end:
        return None
    zone = local_zone()
    local = now.astimezone(zone)
    moment = local.time()
    if start < end:  # e.g. 12:00–14:00, within one day
        inside = start <= moment < end
        end_day = local.date()
    else:  # e.g. 20:00–07:00, across midnight
        inside = moment >= start or moment < end
        end_day = local.date() + datetime.timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.datetime.combine(end_day, end, tzinfo=zone)


def recipients(person_ids: Iterable[int]) -> dict[int, Recipient]:
    """Three queries whatever the number of people: accounts, quiet hours, chosen channels. People with
    neither an email address (still wanted) nor a phone number for SMS are left out."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    found = {
        pk: Recipient(person_id=pk, email=email, language=language or settings.LANGUAGE_CODE)
        for pk, email, language in Person.objects.filter(
            pk__in=ids, user__is_active=True, left_at__isnull=True
        ).values_list("pk", "user__email", "user__language")
    }
    if not found:
        return {}
    for row in DeliverySettings.objects.filter(person_id__in=list(found)):
        who = found[row.person_id]
        who.quiet_enabled, who.quiet_start, who.quiet_end = row.quiet_enabled, row.quiet_start, row.quiet_end
        who.email_off, who.phone = row.email_off, row.sms_phone
    found = {pk: who for pk, who in found.items() if who.reachable}
    for person_id, kind, channel in Preference.objects.filter(person_id__in=list(found)).values_list(
        "person_id", "kind", "channel"
    ):
        found[person_id].channels[kind] = channel
    return found


def _app_of(notification: Notification) -> str:
    kind = KINDS.get(notification.event.kind)
    return kind.app_code if kind is not None else ""


def still_switched_on(notifications: list[Notification]) -> list[Notification]:
    """Without the notifications whose app the recipient's school switched off since the event (a digest
    leaves hours later): one query for the recipients' profiles, none when no school switched such an app
    off."""
    wanted = {code: check for code in {_app_of(n) for n in notifications} if (check := notified_by(code))}
    if not wanted:
        return notifications
    held = memberships_of({n.recipient_id for n in notifications if _app_of(n) in wanted})
    kept = []
    for notification in notifications:
        check = wanted.get(_app_of(notification))
        event = notification.event
        recipient = notification.recipient_id
        if check is None or check(recipient, held.get(recipient, ()), event.school_id, event.about_id):
            kept.append(notification)
    return kept


def unsubscribe_token(person_id: int, kind: str) -> str:
    return signing.dumps([person_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(person id, kind code or ALL_KINDS), or None when the token was tampered with or is too old."""
    try:
        person_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or not isinstance(kind, str):
        return None
    if kind != ALL_KINDS and kind not in KINDS:
        return None
    return person_id, kind


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def build_email(who: Recipient, notifications: list[Notification], *, digest: bool) -> EmailMultiAlternatives:
    """One email in the recipient's language: one event, or a list of them (digest, or what waited for the
    end of the quiet hours). Only what the events' own texts say, and links back to Cartable."""
    with translation.override(who.language):
        entries = []
        for notification in notifications:
            kind = KINDS[notification.event.kind]
            entries.append(
                {
                    "label": kind.label,
                    "text": kind.text(notification.event.data),
                    "url": absolute(
                        reverse("notifications:open", args=[notification.pk])
                        if notification.event.url
                        else reverse("notifications:list")
                    ),
                    "unsubscribe_url": absolute(
                        reverse(
                            "notifications:unsubscribe", args=[unsubscribe_token(who.person_id, kind.code)]
                        )
                    ),
                }
            )
        single = len(entries) == 1 and not digest
        if single:
            unsubscribe_url = entries[0]["unsubscribe_url"]
            subject = _("Cartable : %(label)s") % {"label": entries[0]["label"]}
        else:
            unsubscribe_url = absolute(
                reverse("notifications:unsubscribe", args=[unsubscribe_token(who.person_id, ALL_KINDS)])
            )
            subject = (
                _("Cartable : votre résumé du jour")
                if digest
                else ngettext(
                    "Cartable : %(count)d nouvelle notification",
                    "Cartable : %(count)d nouvelles notifications",
                    len(entries),
                )
                % {"count": len(entries)}
            )
        context = {
            "entries": entries,
            "single": single,
            "digest": digest,
            "unsubscribe_url": unsubscribe_url,
            "notifications_url": absolute(reverse("notifications:list")),
            "preferences_url": absolute(reverse("portal:preferences")),
        }
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[who.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def sms_text(who: Recipient, notifications: list[Notification]) -> str:
    """The text message: the event's own sentence (or how many are waiting), in the recipient's language."""
    with translation.override(who.language):
        if len(notifications) == 1:
            kind = KINDS[notifications[0].event.kind]
            return sms.shorten(_("Cartable : %(text)s") % {"text": kind.text(notifications[0].event.data)})
        return ngettext(
            "Cartable : %(count)d nouvelle notification",
            "Cartable : %(count)d nouvelles notifications",
            len(notifications),
        ) % {"count": len(notifications)}


def send_sms(texts: list[tuple[str, str]]) -> None:
    """Best effort: a text message the provider refuses is logged, the email still counts."""
    if not texts:
        return
    provider = sms.provider()
    for phone, text in texts:
        try:
            provider.send(phone, text)
        except Exception:
            logger.exception("SMS not sent to %s…%s", phone[:3], phone[-2:])


def send(messages: list[EmailMultiAlternatives]) -> bool:
    """Through the default mailer (settings.MAILERS), over one connection. False when the mail server could
    not be reached: the notifications stay unsent and the next daily digest tries them again."""
    if not messages:
        return True
    try:
        with mailers.default as connection:
            connection.send_messages(messages)
    except (OSError, smtplib.SMTPException):
        logger.exception("notification emails not sent (%d): the next digest retries them", len(messages))
        return False
    return True


def defer(later: dict[datetime.datetime, list[int]], *, digest: bool) -> None:
    """One task per moment quiet hours end, for all the people waiting for it."""
    from cartable.notifications.tasks import flush_people

    def enqueue(ids: list[int], run_after: datetime.datetime) -> None:
        transaction.on_commit(lambda: flush_people.using(run_after=run_after).enqueue(ids, digest))

    for run_after, person_ids in later.items():
        enqueue(sorted(set(person_ids)), run_after)


def deliver_event(event_id: int, now: datetime.datetime | None = None) -> int:
    """The emails due at once for a new event; returns how many were sent. Those in their quiet hours get
    them at the end of it; digest readers later in the day's digest, which this makes sure is planned."""
    now = now or timezone.now()
    notifications = list(
        Notification.objects.filter(event_id=event_id, read_at__isnull=True, emailed_at__isnull=True)
        .select_related("event")
        .order_by("pk")
    )
    if not notifications or notifications[0].event.kind not in KINDS:
        return 0
    notifications = still_switched_on(notifications)
    people = recipients(n.recipient_id for n in notifications)
    due: list[tuple[Notification, Recipient]] = []
    later: dict[datetime.datetime, list[int]] = defaultdict(list)
    digest_wanted = False
    for notification in notifications:
        who = people.get(notification.recipient_id)
        if who is None:
            continue
        channel = who.channel(notification.event.kind)
        if channel == Channel.DIGEST:
            digest_wanted = digest_wanted or who.wants_email
        elif channel == Channel.IMMEDIATE:
            until = who.quiet_until(now)
            if until is None:
                due.append((notification, who))
            else:
                later[until].append(who.person_id)
    sent = send([build_email(who, [n], digest=False) for n, who in due if who.wants_email])
    send_sms([(who.phone, sms_text(who, [notification])) for notification, who in due if who.phone])
    if due and sent:
        Notification.objects.filter(pk__in=[n.pk for n, _ in due]).update(emailed_at=now)
    defer(later, digest=False)
    if digest_wanted or not sent:
        plan_digest(now)
    return len(due)


def flush(person_ids: Iterable[int], *, digest: bool, now: datetime.datetime | None = None) -> int:
    """Send each person one email with what waits for them: the immediate notifications held back by the
    quiet hours, and with `digest` also those of their daily digest (one SMS too for the immediate ones, to
    those who gave a number). Returns how many emails left."""
    now = now or timezone.now()
    people = recipients(person_ids)
    if not people:
        return 0
    waiting: dict[int, list[Notification]] = defaultdict(list)
    pending = (
        Notification.objects.filter(
            recipient_id__in=list(people),
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=now - PENDING_WINDOW,
        )
        .select_related("event")
        .order_by("created_at", "pk")
    )
    for notification in still_switched_on(list(pending)):
        waiting[notification.recipient_id].append(notification)
    messages: list[EmailMultiAlternatives] = []
    texts: list[tuple[str, str]] = []
    emailed: list[int] = []
    later: dict[datetime.datetime, list[int]] = defaultdict(list)
    for person_id, notifications in waiting.items():
        who = people[person_id]
        immediate = [n for n in notifications if who.channel(n.event.kind) == Channel.IMMEDIATE]
        daily = [n for n in notifications if digest and who.channel(n.event.kind) == Channel.DIGEST]
        by_email = immediate + daily if who.wants_email else []
        by_sms = immediate if who.phone else []
        if not by_email and not by_sms:
            continue
        until = who.quiet_until(now)
        if until is not None:
            later[until].append(person_id)
            continue
        if by_email:
            by_email.sort(key=lambda n: (n.created_at, n.pk))
            messages.append(build_email(who, by_email, digest=digest))
        if by_sms:
            texts.append((who.phone, sms_text(who, by_sms)))
        emailed.extend({n.pk for n in by_email + by_sms})
    sent = send(messages)
    send_sms(texts)
    if emailed and sent:
        Notification.objects.filter(pk__in=emailed).update(emailed_at=now)
    defer(later, digest=digest)
    if not sent:
        plan_digest(now)
        return 0
    return len(messages)


def next_digest(now: datetime.datetime) -> tuple[datetime.date, datetime.datetime]:
    """The day and moment of the next daily digest after `now`."""
    zone = local_zone()
    local = now.astimezone(zone)
    moment = datetime.datetime.combine(local.date(), digest_time(), tzinfo=zone)
    if moment <= local:
        tomorrow = local.date() + datetime.timedelta(days=1)
        moment = datetime.datetime.combine(tomorrow, digest_time(), tzinfo=zone)
    return moment.date(), moment


def plan_digest(now: datetime.datetime | None = None) -> bool:
    """Make sure the next daily digest is queued (once, whoever asks first); True when this call queued it."""
    from cartable.notifications.tasks import daily_digest

    day, moment = next_digest(now or timezone.now())
    _run, created = DigestRun.objects.get_or_create(day=day)
    if created:
        transaction.on_commit(lambda: daily_digest.using(run_after=moment).enqueue(day.isoformat()))
    return created


DIGEST_BATCH = 500


def run_digest(day: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """Send the daily digests (by batches of people) and plan tomorrow's; returns how many emails left.
    Running it twice for one day sends nothing the second time (each notification is emailed once)."""
    now = now or timezone.now()
    day = day or now.astimezone(local_zone()).date()
    person_ids = sorted(
        set(
            Notification.objects.filter(
                emailed_at__isnull=True, read_at__isnull=True, created_at__gte=now - PENDING_WINDOW
            ).values_list("recipient_id", flat=True)
        )
    )
    sent = 0
    for start in range(0, len(person_ids), DIGEST_BATCH):
        sent += flush(person_ids[start : start + DIGEST_BATCH], digest=True, now=now)
    DigestRun.objects.update_or_create(day=day, defaults={"sent_at": now})
    plan_digest(now)
    logger.info("daily digest %s: %d emails", day, sent)
    return sent
