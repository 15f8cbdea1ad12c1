"""Every write about accounts: activation codes, activation, blocking, sessions, charter acceptance."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from cartable.accounts.models import Charter, CharterAcceptance, LoginEvent, User
from cartable.lib import facts, net
from cartable.lib.errors import Refused

# No 0/O, 1/I/L: codes are typed from a paper letter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_activation_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def hash_code(code: str) -> str:
    # 60 random bits from a one-time, expiring code: a keyed fast hash is enough and keeps bulk letters quick.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{normalize_code(code)}".encode()).hexdigest()


def issue_activation_code(user: User, *, now: datetime | None = None) -> str:
    """Give `user` a fresh one-time activation code (the old one stops working) and return it in clear."""
    codes = issue_activation_codes([user], now=now)
    return codes[user.pk]


def issue_activation_codes(users: list[User], *, now: datetime | None = None) -> dict[int, str]:
    """Fresh codes for many users in one bulk write; returns {user id: code} for the letters."""
    now = now or timezone.now()
    expires = now + timedelta(days=settings.ACTIVATION_CODE_DAYS)
    codes = {}
    for user in users:
        code = new_activation_code()
        codes[user.pk] = code
        user.activation_code_hash = hash_code(code)
        user.activation_expires_at = expires
    User.objects.bulk_update(users, ["activation_code_hash", "activation_expires_at"])
    return codes


def check_activation_code(user: User, code: str) -> bool:
    if not user.activation_code_valid_now():
        return False
    return secrets.compare_digest(user.activation_code_hash, hash_code(code))


@transaction.atomic
def activate_account(user: User, password: str) -> None:
    """The user chose a password with a valid code: the code is spent, other sessions end."""
    user.set_password(password)
    user.activation_code_hash = ""
    user.activation_expires_at = None
    user.activated_at = user.activated_at or timezone.now()
    user.session_generation += 1
    user.save(
        update_fields=[
            "password",
            "activation_code_hash",
            "activation_expires_at",
            "activated_at",
            "session_generation",
        ]
    )


@transaction.atomic
def reset_password_by_admin(user: User) -> str:
    """A school admin resets a password: the old one stops working, a new activation code is issued."""
    user.password = make_password(None)
    user.session_generation += 1
    user.save(update_fields=["password", "session_generation"])
    return issue_activation_code(user)


def set_password(user: User, password: str) -> None:
    user.set_password(password)
    user.session_generation += 1
    user.save(update_fields=["password", "session_generation"])


def block_user(user: User) -> None:
    """Blocked users cannot log in and are logged out at their next request."""
    user.blocked_at = timezone.now()
    user.session_generation += 1
    user.save(update_fields=["blocked_at", "session_generation"])


def unblock_user(user: User) -> None:
    user.blocked_at = None
    user.save(update_fields=["blocked_at"])


def end_all_sessions(user: User) -> None:
    user.session_generation += 1
    user.save(update_fields=["session_generation"])


def current_charter() -> Charter | None:
    return Charter.objects.order_by("-version").first()


# Renewed by publish_charter: every session sees a new version at its next request.
CHARTER_VERSION_KEY = "accounts:charter"
# A charter written behind publish_charter's back (a shell, a data migration) is seen within this delay.
CHARTER_FACT_MAX_AGE = 300


def current_charter_version() -> int | None:
    """The version number of the charter in force (None: no charter), from the shared cache: the account
    gate asks it on every request without a query."""

    def load() -> tuple[int | None, float]:
        version = Charter.objects.order_by("-version").values_list("version", flat=True).first()
        return version, time.time() + CHARTER_FACT_MAX_AGE

    return facts.cached_until("accounts:charter-version", [CHARTER_VERSION_KEY], load)


def has_accepted_charter_version(user: User, version: int) -> bool:
    return CharterAcceptance.objects.filter(user=user, charter__version=version).exists()


def has_accepted_current_charter(user: User) -> bool:
    charter = current_charter()
    if charter is None:
        return True
    return CharterAcceptance.objects.filter(user=user, charter=charter).exists()


def accept_charter(user: User, charter: Charter) -> None:
    CharterAcceptance.objects.get_or_create(user=user, charter=charter)


@transaction.atomic
def publish_charter(title: str, body: str) -> Charter:
    """A new version of the charter, in force at once: everyone accepts it again at their next request."""
    last = Charter.objects.select_for_update().order_by("-version").first()
    charter = Charter.objects.create(
        version=(last.version + 1) if last is not None else 1, title=title, body=body
    )
    facts.bump([CHARTER_VERSION_KEY])
    return charter


def record_login_event(
    user: User | None, kind: str, request: HttpRequest | None = None, detail: str = ""
) -> None:
    ip = net.client_ip(request) if request is not None else None
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    LoginEvent.objects.create(user=user, kind=kind, ip=ip, user_agent=agent, detail=detail[:100])


# A person's own email address (cartable.accounts.email_change): a new one is used only once confirmed.


@transaction.atomic
def request_email_change(user: User, email: str, request: HttpRequest | None = None) -> None:
    """Keep `email` as the user's pending address and send it a confirmation link, after the transaction.
    The current address, if any, stays in use until the link is opened. Refused when the person has asked
    for too many links this hour (nothing changes then)."""
    from cartable.accounts import email_change

    if not email_change.may_send(user):
        raise Refused(email_change.too_many_sends_message(), field="email")
    email_change.count_send(user)
    user.pending_email = email
    user.pending_email_since = timezone.now()
    user.save(update_fields=["pending_email", "pending_email_since"])
    record_login_event(user, LoginEvent.Kind.EMAIL_REQUESTED, request)
    _send_confirmation_after_commit(user)


def resend_email_confirmation(user: User, request: HttpRequest | None = None) -> bool:
    """A new link for the pending address (the previous link stops working); False when none is pending."""
    if not user.pending_email:
        return False
    request_email_change(user, user.pending_email, request)
    return True


def _send_confirmation_after_commit(user: User) -> None:
    from cartable.accounts.tasks import send_email_confirmation

    user_id, language = user.pk, user.language or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_email_confirmation.enqueue(user_id, language))


@transaction.atomic
def confirm_email_change(user: User, token: str, request: HttpRequest | None = None) -> bool:
    """The link sent to the pending address was opened by its account's owner: it becomes the address.
    False (and nothing changes) for a link that is expired, forged, used, replaced or someone else's."""
    from cartable.accounts import email_change

    user = User.objects.select_for_update().get(pk=user.pk)
    if not email_change.token_matches(user, token):
        return False
    old = user.email
    user.email = user.pending_email
    user.pending_email = ""
    user.pending_email_since = None
    user.save(update_fields=["email", "pending_email", "pending_email_since"])
    record_login_event(user, LoginEvent.Kind.EMAIL_CONFIRMED, request)
    _tell_old_address_after_commit(user, old)
    return True


@transaction.atomic
def cancel_email_change(user: User) -> None:
    """Forget the pending address: its link stops working."""
    user.pending_email = ""
    user.pending_email_since = None
    user.save(update_fields=["pending_email", "pending_email_since"])


@transaction.atomic
def remove_email(user: User, request: HttpRequest | None = None) -> None:
    """No address at all: no more notification emails, and no password reset by email."""
    old = user.email
    user.email = ""
    user.pending_email = ""
    user.pending_email_since = None
    user.save(update_fields=["email", "pending_email", "pending_email_since"])
    record_login_event(user, LoginEvent.Kind.EMAIL_REMOVED, request)
    _tell_old_address_after_commit(user, old)


def _tell_old_address_after_commit(user: User, old: str) -> None:
    """The address that stops being used hears of it: someone who took over the account cannot quietly
    redirect its password resets."""
    if not old or old.lower() == user.email.lower():
        return
    from cartable.accounts.tasks import send_email_changed_notice

    username, language = user.username, user.language or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_email_changed_notice.enqueue(old, username, language))


def set_language(user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def log_out_everywhere(user: User, request: HttpRequest | None = None) -> None:
    """ "Log me out of all my sessions": every open session (this one included) ends, and it is traced."""
    end_all_sessions(user)
    record_login_event(user, LoginEvent.Kind.LOGOUT_ALL, request)


# Second factor (rule C6): one TOTP device per user, plus single-use recovery codes.

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = CODE_ALPHABET.lower()


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def new_totp_key() -> str:
    """A fresh TOTP secret (hex, as TOTPDevice stores it) for one enrolment attempt. The enrolment page keeps
    it in the session, never in the database before it is confirmed: a secret seen in another session (a
    shared computer, a shoulder) gives nothing, and showing the page writes nothing."""
    key: str = default_key()
    return key


def totp_device_for_enrolment(user: User, key: str) -> TOTPDevice:
    """The device being enrolled, not saved: it gives the QR code's address and the secret to type."""
    return TOTPDevice(user=user, name="Cartable", key=key, confirmed=False)


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_token() -> str:
    # 10 characters out of 31: about 50 bits, and the throttle slows guessing further.
    return "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))


def format_recovery_code(token: str) -> str:
    return f"{token[:5]}-{token[5:]}"


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with 10 fresh ones, returned in clear to be shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    tokens = [new_recovery_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in tokens])
    return [format_recovery_code(token) for token in tokens]


@transaction.atomic
def confirm_totp_enrolment(user: User, key: str, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Save the authenticator when `token` is a current code of the session's secret `key`, and end the
    user's other sessions (the caller keeps its own). Returns the device and the new recovery codes, or
    None for a wrong code.

    Wrong codes are not throttled: the secret is on the screen of this very session, guessing its codes
    would give nothing more."""
    device = totp_device_for_enrolment(user, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not (token.isascii() and token.isdigit()) or not totp.verify(int(token), device.tolerance):
        return None
    device.confirmed = True
    device.last_t = totp.t()  # the code just given cannot be given again
    device.drift = totp.drift
    # One authenticator per account: one enrolled meanwhile (another tab) is replaced.
    TOTPDevice.objects.filter(user=user).delete()
    device.save()
    end_all_sessions(user)
    return device, new_recovery_codes(user)


@dataclass
class SecondFactorCheck:
    device: Device | None = None
    locked_until: datetime | None = None


def verify_second_factor(user: User, code: str) -> SecondFactorCheck:
    """Check a TOTP code or a recovery code (which is then used up).

    One throttle, the TOTP device's, covers both kinds so guessing recovery codes is slowed down too.
    """
    totp = confirmed_totp_device(user)
    if totp is None:
        return SecondFactorCheck()
    allowed, details = totp.verify_is_allowed()
    if not allowed:
        return SecondFactorCheck(locked_until=(details or {}).get("locked_until"))
    if code.isdigit() and len(code) == totp.digits:
        return SecondFactorCheck(device=totp if totp.verify_token(code) else None)
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(normalize_recovery_code(code)):
        totp.throttle_reset()
        return SecondFactorCheck(device=recovery)
    totp.throttle_increment()
    return SecondFactorCheck()


def recovery_codes_left(user: User) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def purge_old_traces(now: datetime | None = None) -> int:
    """Rule C8: login traces are kept for TRACE_RETENTION_DAYS (12 months at most), then deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRACE_RETENTION_DAYS)
    deleted, _by_model = LoginEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
