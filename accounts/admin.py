"""People, organizations and clusters in the admin.

The Organization admin defined here is registered by tickets.admin with the plan, the plan
history and the open requests: accounts depends on no other app."""

import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import NormalizedEmailMixin
from accounts.models import Cluster, Membership, Organization, SecurityEvent, User
from accounts.services import membership_add, membership_remove, security_event_record


class MembershipThroughServicesMixin:
    """Memberships added or removed on a person's or an organization's page go through the
    services, which record who added or removed whom."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_remove(membership=membership, actor=request.user)
        for membership in memberships:
            if membership.pk is None:
                membership_add(
                    organization=membership.organization,
                    user=membership.user,
                    role=membership.role,
                    actor=request.user,
                )
            else:
                membership.save(update_fields=["role"])
        return None


class UserCreationForm(NormalizedEmailMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")
        field_classes = {}


class UserChangeForm(NormalizedEmailMixin, DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("organization", "role", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("organization",)
    extra = 0


@admin.register(User)
class UserAdmin(MembershipThroughServicesMixin, DjangoUserAdmin):
    """Django's user admin with the email address as the login and no username."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "time_zone")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    inlines = (UserMembershipInline,)

    def user_change_password(self, request, id, form_url=""):
        """Django's set-password page; a password set here is a security event."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            security_event_record(
                kind=SecurityEvent.Kind.PASSWORD_CHANGED,
                actor=request.user,
                user=User.objects.filter(pk=id).first(),
                detail="set in the admin",
            )
        return response

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()  # add the person first, then memberships


class OrganizationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=[(zone, zone) for zone in sorted(zoneinfo.available_timezones())],
        help_text=_("Business hours for response targets are counted in this zone."),
    )

    class Meta:
        model = Organization
        fields = ("name", "time_zone")


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ClusterInline(admin.TabularInline):
    model = Cluster
    fields = ("name", "tier", "region", "version", "environment", "created_at")
    readonly_fields = ("created_at",)
    extra = 0


class OrganizationAdmin(MembershipThroughServicesMixin, admin.ModelAdmin):
    """People and clusters of an organization. Registered by tickets.admin, which adds the plan,
    its history and the open requests (accounts depends on no other app)."""

    form = OrganizationForm
    list_display = ("name", "time_zone", "created_at")
    ordering = ("name",)
    search_fields = ("name",)
    readonly_fields = ("created_at",)
    fields = ("name", "time_zone", "created_at")
    inlines = (MembershipInline, ClusterInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "joined_at")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "organization__name")
    autocomplete_fields = ("user", "organization")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "organization", "joined_at") if obj is not None else ("joined_at",)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["role"])
        else:
            form.instance = membership_add(
                organization=obj.organization, user=obj.user, role=obj.role, actor=request.user
            )

    def delete_model(self, request, obj):
        membership_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organization"):
            membership_remove(membership=membership, actor=request.user)


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "tier", "region", "version", "environment")
    list_filter = ("tier", "environment")
    list_select_related = ("organization",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security audit trail: superusers only, read-only, never deleted from here."""

    list_display = (
        "created_at",
        "kind",
        "user",
        "identifier",
        "actor",
        "organization",
        "ip_address",
    )
    list_filter = ("kind",)
    list_select_related = ("user", "actor", "organization")
    search_fields = ("identifier", "user__email", "actor__email", "organization__name")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "created_at",
        "kind",
        "user",
        "identifier",
        "actor",
        "organization",
        "ip_address",
        "detail",
    )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """Superusers see who has which second factor and can delete one (a lost phone: the
    person enrols again on their next login). Secrets and codes are never shown."""

    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = readonly_fields = ("user", "name", "confirmed")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
    admin.site.register(device_model, SecondFactorDeviceAdmin)
