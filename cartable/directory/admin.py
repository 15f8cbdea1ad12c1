"""Django admin for the platform admin (ADMC); school admins use the console at /admin-ecole/."""

from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup

from cartable.directory import versions
from cartable.directory.models import (
    Enrolment,
    Group,
    Guardianship,
    Membership,
    Person,
    School,
    SchoolYear,
    Subject,
    TeachingAssignment,
)


class DirectoryAdmin(admin.ModelAdmin):
    """An edit in the Django admin is a directory write like the actions': it bumps the platform's directory
    version (any row of any school may have changed) so that no cached directory fact outlives it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        versions.bump_platform()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        versions.bump_platform()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        versions.bump_platform()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        versions.bump_platform()


# Cartable's rights come from directory profiles and functions, not from Django auth groups.
if admin.site.is_registered(AuthGroup):
    admin.site.unregister(AuthGroup)


@admin.register(School)
class SchoolAdmin(DirectoryAdmin):
    list_display = ["name", "uai", "kind", "city", "academy", "mfa_required_for_staff"]
    list_filter = ["kind", "academy", "mfa_required_for_staff"]
    search_fields = ["name", "uai", "city"]


@admin.register(SchoolYear)
class SchoolYearAdmin(DirectoryAdmin):
    list_display = ["name", "start", "end", "is_current"]


@admin.register(Subject)
class SubjectAdmin(DirectoryAdmin):
    list_display = ["name", "code", "school"]
    list_filter = ["school"]
    search_fields = ["name", "code"]
    list_select_related = ["school"]


@admin.register(Group)
class GroupAdmin(DirectoryAdmin):
    list_display = ["name", "kind", "level", "school", "year"]
    list_filter = ["kind", "year", "school"]
    search_fields = ["name", "school__name", "school__uai"]
    list_select_related = ["school", "year"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(Person)
class PersonAdmin(DirectoryAdmin):
    list_display = ["last_name", "first_name", "user", "birth_date"]
    search_fields = ["last_name", "first_name", "user__username", "aaf_jointure", "ine"]
    list_filter = ["memberships__profile", "memberships__school"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(DirectoryAdmin):
    list_display = ["person", "school", "profile", "functions"]
    list_filter = ["profile", "school"]
    search_fields = ["person__last_name", "person__first_name", "school__uai"]
    list_select_related = ["person", "school"]
    raw_id_fields = ["person"]


@admin.register(Enrolment)
class EnrolmentAdmin(DirectoryAdmin):
    list_display = ["student", "group"]
    list_filter = ["group__school", "group__kind"]
    search_fields = ["student__last_name", "student__first_name", "group__name"]
    list_select_related = ["student", "group"]
    raw_id_fields = ["student", "group"]


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(DirectoryAdmin):
    list_display = ["teacher", "group", "subject"]
    list_filter = ["group__school"]
    search_fields = ["teacher__last_name", "group__name", "subject__name"]
    list_select_related = ["teacher", "group", "subject"]
    raw_id_fields = ["teacher", "group", "subject"]


@admin.register(Guardianship)
class GuardianshipAdmin(DirectoryAdmin):
    list_display = ["relative", "student", "relationship", "legal_guardian", "financial", "contact"]
    list_filter = ["legal_guardian", "financial"]
    search_fields = [
        "relative__last_name",
        "relative__first_name",
        "student__last_name",
        "student__first_name",
    ]
    list_select_related = ["relative", "student"]
    raw_id_fields = ["relative", "student"]
