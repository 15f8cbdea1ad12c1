"""The guard of every page of the school admin console, whichever app owns the page (the communication rules,
the imports, the timetable's import): its own module, so that those apps import no views module."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.views.decorators.cache import never_cache

from cartable.access import policy
from cartable.accounts import mfa
from cartable.console.access import administered_school_or_404
from cartable.directory.models import School
from cartable.portal import switches


def console_view(view, allowed: Callable[[Any, School], bool] = policy.admin_of):
    """Logged in, administering the school named in the URL, else 404. A console page some other staff may
    use too passes the policy's check for it as `allowed`. The second factor was asked before
    (cartable.accounts.mfa: school admins always give it on the console's pages, rule C6)."""

    @login_required
    @never_cache  # pages show people's data and activation codes: never kept by a browser or proxy cache
    @wraps(view)
    def wrapper(request, uai, *args, **kwargs):
        school = administered_school_or_404(request.user, uai, allowed)
        return view(request, school, *args, **kwargs)

    # The console's pages owned by an app (the timetable's import) are the admin's work, not a use of the app:
    # they stay open when a profile of the admin has the app switched off.
    return switches.stays_on(mfa.admin_page(wrapper))
