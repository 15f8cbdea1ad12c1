"""Rule C6: staff use a second factor (TOTP) before any page that shows or edits pupils' data.

Who must: teachers and personnel, school admins (ADML) included, of a school that requires it
(School.mfa_required_for_staff, on by default), and always the platform admin. Pages opt in with
@staff_mfa_required.
"""

from functools import wraps
from typing import Any

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from cartable.access.policy import viewer_for
from cartable.directory.models import STAFF_PROFILES, Function, School


def mfa_required_for(user: Any) -> bool:
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return True
    staff_schools = viewer.schools_with_profile(*STAFF_PROFILES) | viewer.schools_with_function(Function.ADML)
    if not staff_schools:
        return False
    return School.objects.filter(pk__in=staff_schools, mfa_required_for_staff=True).exists()


def mfa_satisfied(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return True
    # Asked on each guarded page (one small query for staff), so a newly required factor applies at once.
    return not mfa_required_for(user)


def staff_mfa_required(view):
    """Send the user to the second-factor step (enrolment or code) before this view, then back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not mfa_satisfied(request):
            return redirect(f"{reverse('accounts:mfa')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
