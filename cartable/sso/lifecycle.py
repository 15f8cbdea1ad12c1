"""The connected applications in a person's lifecycle (cartable.lib.lifecycle). A school's choice names
the admin who made it: the school's record, kept under "Ancien compte". Tickets live seconds in the cache
and go on their own; the logins to applications are login traces (accounts.LoginEvent), forgotten and aged
there."""

from __future__ import annotations

from cartable.lib.lifecycle import Fate
from cartable.sso.models import AppEnablement

PERSONAL_DATA = {AppEnablement: Fate.RECORD}
