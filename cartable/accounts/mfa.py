"""Rule C6: a second factor (TOTP) before any page that shows or edits pupils' data.

It is checked in one place, for every request of a logged-in user (AccountGateMiddleware calls
`second_factor_due`), so that a new page is covered without opting in. Until the session has given its
second factor, only the pages of SECOND_FACTOR_OPEN_PREFIXES answer; every other address sends to the
second-factor step (enrolment or code) and back.

Who owes it:
- teachers and personnel, school admins (ADML) included, of a school that requires it
  (School.mfa_required_for_staff, on by default): on every page;
- the platform admin (ADMC): on every page;
- every school admin (ADML), whatever their school's setting: on the admin pages (ADMIN_PREFIXES);
- anyone who enrolled a second factor, even by choice: from their login (the middleware's
  SECOND_FACTOR_PENDING_KEY).

People who are none of these (families, pupils, staff of a school that does not require it) never meet the
step, so an admin page still answers them "not found" as if it did not exist.
"""

from collections.abc import Callable
from typing import Any

from cartable.access.policy import viewer_for
from cartable.directory import versions
from cartable.directory.models import STAFF_PROFILES, Function, School

# Addresses a session that still owes its second factor may open: logging in and out, the second-factor
# step itself, activation and password reset (open to anyone), the charter and the information notice.
SECOND_FACTOR_OPEN_PREFIXES = (
    "/auth/login",
    "/auth/logout",
    "/auth/mfa",
    "/auth/activate",
    "/auth/password/reset",
    "/auth/charter",
    "/auth/welcome",
    "/charte",
    "/informations",
    "/static/",
    "/healthz",
    "/i18n/",
    "/favicon.ico",
    # Opened by their secret token, the same with or without a session (calendar apps, e-mail links).
    "/emploi-du-temps/ical/",
    "/notifications/desabonnement/",
)
# The administration pages: the console with its imports and communication rules, the timetable import,
# Django's admin. School admins always give their second factor there.
ADMIN_PREFIXES = ("/admin-ecole/", "/emploi-du-temps/import/", "/django-admin/")
# Marks an administration page wherever an app mounts it (cartable.console.decorators.console_view marks every
# console page): the same rule as under ADMIN_PREFIXES, checked once the URL is resolved.
ADMIN_PAGE = "cartable_admin_page"


def admin_page[V: Callable[..., Any]](view: V) -> V:
    setattr(view, ADMIN_PAGE, True)
    return view


def schools_without_staff_mfa() -> frozenset[int]:
    """Schools that let their staff work without a second factor, from the cache kept under the schools'
    version (console.actions.set_mfa_required_for_staff and the Django admin bump it). Few schools opt out,
    and a school created since the fact was read requires it: a stale fact errs on the safe side."""
    return versions.cached(
        "schools-without-staff-mfa",
        lambda: frozenset(School.objects.filter(mfa_required_for_staff=False).values_list("pk", flat=True)),
        keys=[versions.SCHOOLS_KEY],
    )


def mfa_required_for(user: Any) -> bool:
    """Must give a second factor on every page. No query for anyone: the facts come from the cached viewer
    and, for staff only, the cached list of schools that opted out."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return True
    staff_schools = viewer.schools_with_profile(*STAFF_PROFILES) | viewer.schools_with_function(Function.ADML)
    if not staff_schools:
        return False
    return bool(staff_schools - schools_without_staff_mfa())


def administers_a_school(user: Any) -> bool:
    viewer = viewer_for(user)
    return viewer.is_platform_admin or bool(viewer.schools_with_function(Function.ADML))


def second_factor_due(request: Any, *, pending: bool) -> bool:
    """Whether this request of a logged-in user must first go through the second-factor step.
    `pending`: the session belongs to someone who enrolled a second factor and has not given it yet."""
    path = request.path
    if path.startswith(SECOND_FACTOR_OPEN_PREFIXES):
        return False
    user = request.user
    if user.is_verified():
        return False
    if pending or mfa_required_for(user):
        return True
    return path.startswith(ADMIN_PREFIXES) and administers_a_school(user)


def second_factor_due_for_view(request: Any, view: Callable[..., Any]) -> bool:
    """An administration page mounted outside ADMIN_PREFIXES (a console page an app owns): its admin gives the
    second factor first, as on the console's own addresses."""
    user = request.user
    if not getattr(view, ADMIN_PAGE, False) or not user.is_authenticated or user.is_verified():
        return False
    return administers_a_school(user)
