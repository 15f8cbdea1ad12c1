from django.contrib import admin

from cartable.portal import switches
from cartable.portal.models import AppSwitch, CorrectionRequest


@admin.register(AppSwitch)
class AppSwitchAdmin(admin.ModelAdmin):
    """Switches are cached under their own version (cartable.portal.switches): an edit here bumps it, as the
    console does."""

    list_display = ["school", "app_code", "profile", "enabled"]
    list_filter = ["app_code", "profile", "enabled"]
    search_fields = ["school__name", "school__uai"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        switches.bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        switches.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        switches.bump()


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["person", "school", "status", "created_at", "handled_at"]
    list_filter = ["status", "school"]
    search_fields = ["person__last_name", "person__first_name", "message"]
    list_select_related = ["person", "school"]
    raw_id_fields = ["person", "handled_by"]
