"""Admin plumbing shared by every app; it imports no project app."""


class ReadOnlyAdminMixin:
    """Rows written by the application (history, the outbox, stored cards): looked at, never
    typed in. Deleting stays with the model permission, for superusers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
