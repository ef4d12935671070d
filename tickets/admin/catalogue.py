"""Canned responses and components, the lists engineers and administrators curate."""

from django.contrib import admin

from tickets.models import CannedResponse, Component


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """Reply snippets engineers insert on the request page; placeholders are filled in there."""

    list_display = ("title", "created_at")
    search_fields = ("title", "body")


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)


# Organizations: what accounts registers, plus the plan, its history and the open requests.
