"""Every write about accounts: activation codes, activation, blocking, sessions, charter acceptance."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cartable.accounts.models import Charter, CharterAcceptance, LoginEvent, User

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


def issue_activation_code(user: User, *, now=None) -> str:
    """Give `user` a fresh one-time activation code (the old one stops working) and return it in clear."""
    codes = issue_activation_codes([user], now=now)
    return codes[user.pk]


def issue_activation_codes(users: list[User], *, now=None) -> dict[int, str]:
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
        update_fields=["password", "activation_code_hash", "activation_expires_at", "activated_at", "session_generation"]
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


def has_accepted_current_charter(user: User) -> bool:
    charter = current_charter()
    if charter is None:
        return True
    return CharterAcceptance.objects.filter(user=user, charter=charter).exists()


def accept_charter(user: User, charter: Charter) -> None:
    CharterAcceptance.objects.get_or_create(user=user, charter=charter)


def record_login_event(user: User | None, kind: str, request=None) -> None:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    LoginEvent.objects.create(user=user, kind=kind, ip=ip, user_agent=agent)


def set_language(user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
