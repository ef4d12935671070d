"""Support engineers' endpoints: the triage queues and list, replies, notes, assignment and
status, through the same selectors and services as the admin."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from accounts.models import User
from helpcenter.api.permissions import IsSupportEngineer
from helpcenter.api.views import ApiViewMixin
from tickets import services
from tickets.api.customer import UPLOAD_PARSERS
from tickets.api.filters import QUEUES, TriageFilter
from tickets.api.serializers import (
    CommentCreateSerializer,
    PersonSerializer,
    SupportCommentSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from tickets.models import Ticket
from tickets.selectors import (
    support_queue_counts,
    ticket_conversation_for_support,
    ticket_get_for_support,
    tickets_for_support,
)


class SupportTicketSerializer(TicketSerializer):
    assignee = PersonSerializer(allow_null=True)
    plan = serializers.CharField(source="plan.name")

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "assignee", "plan"]


class SupportTicketDetailSerializer(TicketDetailSerializer):
    assignee = PersonSerializer(allow_null=True)
    plan = serializers.CharField(source="plan.name")

    class Meta(TicketDetailSerializer.Meta):
        fields = [*TicketDetailSerializer.Meta.fields, "assignee", "plan"]


class _EngineerView(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [*generics.GenericAPIView.permission_classes, IsSupportEngineer]
    queryset = Ticket.objects.none()


QueueCounts = inline_serializer(
    "QueueCounts", {name: serializers.IntegerField() for name in QUEUES}
)


class QueueCountsView(_EngineerView):
    """How many requests each triage queue holds now."""

    @extend_schema(responses=QueueCounts)
    def get(self, request):
        counts = support_queue_counts(user=request.user)
        return Response({name: count.total for name, count in counts.items()})


class TriageCursor(CursorPagination):
    page_size = 50
    ordering = ("-last_activity_at", "-pk")


class TriageListView(_EngineerView, generics.ListAPIView):
    """Every request, filtered as in the triage list."""

    serializer_class = SupportTicketSerializer
    pagination_class = TriageCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = TriageFilter

    def get_queryset(self):
        return tickets_for_support(user=self.request.user).select_related(
            "organization", "cluster", "reporter", "assignee", "plan"
        )


class TriageDetailView(_EngineerView):
    serializer_class = SupportTicketDetailSerializer

    def get(self, request, key):
        ticket = ticket_get_for_support(user=request.user, key=key)
        return Response(SupportTicketDetailSerializer(ticket).data)


class ConversationView(_EngineerView):
    """Every comment and internal note, oldest first."""

    serializer_class = SupportCommentSerializer

    @extend_schema(responses=SupportCommentSerializer(many=True))
    def get(self, request, key):
        ticket = ticket_get_for_support(user=request.user, key=key)
        comments = ticket_conversation_for_support(ticket=ticket)
        return Response(
            SupportCommentSerializer(comments, many=True, context={"key": ticket.key}).data
        )


class _CommentView(_EngineerView):
    serializer_class = SupportCommentSerializer
    parser_classes = UPLOAD_PARSERS
    is_internal: bool

    @extend_schema(request=CommentCreateSerializer, responses={201: SupportCommentSerializer})
    def post(self, request, key):
        ticket = ticket_get_for_support(user=request.user, key=key)
        form = CommentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        comment = services.ticket_comment_add(
            ticket=ticket, author=request.user, is_internal=self.is_internal, **form.validated_data
        )
        comment = ticket_conversation_for_support(ticket=ticket).get(pk=comment.pk)
        return Response(
            SupportCommentSerializer(comment, context={"key": ticket.key}).data,
            status=status.HTTP_201_CREATED,
        )


class PublicReplyView(_CommentView):
    """A reply the customer sees (and is emailed); the first one meets the response target."""

    is_internal = False


class InternalNoteView(_CommentView):
    """A note only engineers see; never sent to customers or webhooks."""

    is_internal = True


class AssignSerializer(serializers.Serializer):
    assignee = serializers.EmailField(allow_null=True, help_text="An engineer's email, or null.")


class AssignView(_EngineerView):
    serializer_class = SupportTicketDetailSerializer

    @extend_schema(request=AssignSerializer, responses=SupportTicketDetailSerializer)
    def post(self, request, key):
        ticket = ticket_get_for_support(user=request.user, key=key)
        form = AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email = form.validated_data["assignee"]
        assignee = User.objects.filter(email__iexact=email).first() if email else None
        if email and assignee is None:
            raise ValidationError({"assignee": _("No one has the address %s.") % email})
        services.ticket_assign(ticket=ticket, actor=request.user, assignee=assignee)
        ticket = ticket_get_for_support(user=request.user, key=key)
        return Response(SupportTicketDetailSerializer(ticket).data)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)


class StatusView(_EngineerView):
    serializer_class = SupportTicketDetailSerializer

    @extend_schema(request=StatusSerializer, responses=SupportTicketDetailSerializer)
    def post(self, request, key):
        ticket = ticket_get_for_support(user=request.user, key=key)
        form = StatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.ticket_status_change(
            ticket=ticket, actor=request.user, to_status=form.validated_data["status"]
        )
        ticket = ticket_get_for_support(user=request.user, key=key)
        return Response(SupportTicketDetailSerializer(ticket).data)
