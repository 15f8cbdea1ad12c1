from django.contrib import admin

from cartable.directory.admin import DirectoryAdmin
from cartable.portal.models import AppSwitch, CorrectionRequest


@admin.register(AppSwitch)
class AppSwitchAdmin(DirectoryAdmin):
    """Switches are cached with the directory facts: an edit here bumps the directory version too."""

    list_display = ["school", "app_code", "profile", "enabled"]
    list_filter = ["app_code", "profile", "enabled"]
    search_fields = ["school__name", "school__uai"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["person", "school", "status", "created_at", "handled_at"]
    list_filter = ["status", "school"]
    search_fields = ["person__last_name", "person__first_name", "message"]
    list_select_related = ["person", "school"]
    raw_id_fields = ["person", "handled_by"]
