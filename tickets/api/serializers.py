"""Shapes of requests and comments in the API. Input serializers only check types and choices,
as the forms do; the rules (S1, clusters, plans, transitions) are the services'."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Environment, User
from accounts.selectors import clusters_visible_to, organizations_for_user
from helpcenter.templatetags.links import key_link_parts
from plans.models import Portal, Severity
from tickets.models import Attachment, Comment, Component, SatisfactionRating, Ticket
from tickets.sla import ClockState, response_clock


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = User
        fields = ["name", "email"]


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _ResponsePromise:
    def __init__(self, ticket):
        self.ticket = ticket
        self.clock = response_clock(ticket=ticket)


class ResponsePromiseSerializer(serializers.Serializer):
    """The first-response promise of the plan the request was opened under, and where it stands."""

    target = serializers.CharField(source="ticket.response_target_label")
    state = serializers.ChoiceField(source="clock.state", choices=ClockState.values)
    state_label = serializers.CharField(source="clock.label")
    due_at = serializers.DateTimeField(source="clock.due_at", allow_null=True)
    responded_at = serializers.DateTimeField(source="ticket.first_responded_at", allow_null=True)

    # A field of the request (source="*"): built once per list, where a serializer made for each
    # row's promise had its fields built again for every row.
    def to_representation(self, ticket):
        return super().to_representation(_ResponsePromise(ticket))


class TicketSerializer(serializers.ModelSerializer):
    """A request as its list shows it."""

    url = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    organization = NamedRefSerializer(allow_null=True)
    cluster = NamedRefSerializer(allow_null=True)
    reporter = PersonSerializer()
    response = ResponsePromiseSerializer(source="*", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "key",
            "url",
            "portal",
            "summary",
            "severity",
            "status",
            "status_label",
            "organization",
            "cluster",
            "reporter",
            "response",
            "created_at",
            "last_activity_at",
            "resolved_at",
        ]

    def get_url(self, ticket) -> str:
        before, after = key_link_parts("tickets:request-detail")
        return f"{before}{ticket.key}{after}"


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SatisfactionRating
        fields = ["rating", "comment", "created_at"]


class TicketDetailSerializer(TicketSerializer):
    """A request as its page shows it."""

    components = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    participants = PersonSerializer(many=True)
    rating = serializers.SerializerMethodField()
    merged_into = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text="The request this one was merged into.",
    )

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "environment",
            "components",
            "affects_version",
            "shared_with_organization",
            "participants",
            "rating",
            "merged_into",
        ]

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, ticket):
        rating = getattr(ticket, "satisfaction", None)
        return RatingSerializer(rating).data if rating else None


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class ComponentField(serializers.RelatedField):
    """A component by name (`TiKV`) or by id, as the form posts it."""

    default_error_messages = {"unknown": "{value} is not a component; choose from the list."}

    def get_queryset(self):
        return Component.objects.filter(is_active=True)

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        text = str(data).strip()
        if isinstance(data, bool) or not isinstance(data, int | str) or not text.isprintable():
            self.fail("unknown", value=repr(data))
        if len(text) > 64:
            self.fail("unknown", value=repr(text[:64]))
        found = (
            queryset.filter(pk=int(text)).first()
            if text.isdigit() and len(text) < 19
            else queryset.filter(name__iexact=text).first()
        )
        if found is None:
            self.fail("unknown", value=data)
        return found

    def to_representation(self, value):
        return value.name


@extend_schema_field(OpenApiTypes.INT)
class UserOrganizationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return organizations_for_user(user=self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class UserClusterField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return clusters_visible_to(user=self.context["request"].user)


class TicketCreateSerializer(serializers.Serializer):
    """The portals' form fields. Another organization's id is refused like a missing one."""

    portal = serializers.ChoiceField(choices=Portal.choices)
    summary = serializers.CharField(max_length=255)
    organization = UserOrganizationField(required=False, allow_null=True)
    cluster = UserClusterField(required=False, allow_null=True)
    environment = serializers.ChoiceField(
        choices=Environment.choices, required=False, allow_blank=True, default=""
    )
    description = serializers.CharField(max_length=32_000)
    severity = serializers.ChoiceField(choices=Severity.choices)
    components = serializers.ListField(child=ComponentField(), required=False, default=list)
    affects_version = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    shared_with_organization = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, attachment) -> str:
        return reverse("api:request-attachment", args=[self.context["key"], attachment.pk])


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name")
    by_support = serializers.BooleanField(source="author.is_staff")
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "by_support", "body", "attachments", "created_at"]


class SupportCommentSerializer(CommentSerializer):
    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "is_internal"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=32_000)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class SharingSerializer(serializers.Serializer):
    shared_with_organization = serializers.BooleanField()
    participants = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list, max_length=200
    )


class NotificationsSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class RatingCreateSerializer(serializers.Serializer):
    rating = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
