"""Customer endpoints: the same selectors and services as the request pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, parsers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import organization_members
from helpcenter.api.parsers import JSONOrFormParser
from helpcenter.api.views import ApiViewMixin
from plans.models import Portal
from plans.selectors import portal_access
from tickets import services
from tickets.api.filters import RequestListFilter
from tickets.api.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    NotificationsSerializer,
    RatingCreateSerializer,
    RatingSerializer,
    SharingSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from tickets.attachments import attachment_download_response
from tickets.models import Ticket
from tickets.selectors import (
    attachment_get_for_user,
    notification_enabled_for,
    ticket_get_for_user,
    ticket_public_comments,
)

UPLOAD_PARSERS = [parsers.JSONParser, parsers.MultiPartParser, JSONOrFormParser]


class RequestCursor(CursorPagination):
    """50 a page, most recent activity first, stable while requests change."""

    page_size = 50
    ordering = ("-last_activity_at", "-pk")


class RequestListCreateView(ApiViewMixin, generics.ListCreateAPIView):
    """Your requests (the Requests page's filters), or file a new one through either portal."""

    serializer_class = TicketSerializer
    pagination_class = RequestCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = RequestListFilter

    def get_queryset(self):
        # RequestListFilter builds the list from the Requests page's selector; without it the
        # list is empty (fails closed), never unfiltered.
        return Ticket.objects.none()

    def get_serializer_class(self):
        return TicketCreateSerializer if self.request.method == "POST" else TicketSerializer

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def post(self, request):
        portal = request.data.get("portal") if hasattr(request.data, "get") else None
        if portal in Portal.values:
            # As on the portal pages: a portal the plans do not reach is refused before the form.
            access = portal_access(user=request.user, portal=portal)
            if not access.allowed:
                raise PermissionDenied(access.refusal)
        form = TicketCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        ticket = services.ticket_create(reporter=request.user, **form.validated_data)
        ticket = ticket_get_for_user(user=request.user, key=ticket.key)
        return Response(TicketDetailSerializer(ticket).data, status=status.HTTP_201_CREATED)


class RequestDetailView(ApiViewMixin, generics.GenericAPIView):
    serializer_class = TicketDetailSerializer
    queryset = Ticket.objects.none()

    def get(self, request, key):
        """One request with its response promise and where that stands."""
        ticket = ticket_get_for_user(user=request.user, key=key)
        return Response(TicketDetailSerializer(ticket).data)


class _RequestActionView(ApiViewMixin, generics.GenericAPIView):
    """A POST acting on one request you can see; answers with the request as it is now."""

    serializer_class = TicketDetailSerializer
    queryset = Ticket.objects.none()

    def reply(self, request, key):
        return Response(
            TicketDetailSerializer(ticket_get_for_user(user=request.user, key=key)).data
        )


class ResolveView(_RequestActionView):
    @extend_schema(request=None, responses=TicketDetailSerializer)
    def post(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        services.ticket_status_change(
            ticket=ticket, actor=request.user, to_status=Ticket.Status.RESOLVED
        )
        return self.reply(request, key)


class ReopenView(_RequestActionView):
    @extend_schema(request=None, responses=TicketDetailSerializer)
    def post(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        services.ticket_status_change(
            ticket=ticket, actor=request.user, to_status=Ticket.Status.WAITING_FOR_SUPPORT
        )
        return self.reply(request, key)


class ShareView(_RequestActionView):
    """Share with the organization and/or named colleagues (by email); reporter only."""

    @extend_schema(request=SharingSerializer, responses=TicketDetailSerializer)
    def post(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        form = SharingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        emails = {email.lower() for email in form.validated_data["participants"]}
        colleagues = (
            list(organization_members(organization=ticket.organization).filter(email__in=emails))
            if ticket.organization
            else []
        )
        unknown = emails - {user.email for user in colleagues}
        if unknown:
            people = list(User.objects.filter(email__in=unknown))
            if len(people) < len(unknown):
                raise ValidationError(
                    {"participants": _("Share only with members of the request's organization.")}
                )
            colleagues += people
        services.ticket_sharing_update(
            ticket=ticket,
            actor=request.user,
            shared_with_organization=form.validated_data["shared_with_organization"],
            participants=colleagues,
        )
        return self.reply(request, key)


class NotificationsView(ApiViewMixin, generics.GenericAPIView):
    """Whether you are emailed about this request (a resolution is always sent)."""

    serializer_class = NotificationsSerializer
    queryset = Ticket.objects.none()

    def get(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        return Response({"enabled": notification_enabled_for(ticket=ticket, user=request.user)})

    def post(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        form = NotificationsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.ticket_notifications_set(
            ticket=ticket, user=request.user, enabled=form.validated_data["enabled"]
        )
        return Response(form.validated_data)


class RatingView(ApiViewMixin, generics.GenericAPIView):
    """The reporter rates a resolved request once, 1 to 5."""

    serializer_class = RatingSerializer
    queryset = Ticket.objects.none()

    @extend_schema(request=RatingCreateSerializer, responses={201: RatingSerializer})
    def post(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        form = RatingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rating = services.ticket_rate(ticket=ticket, actor=request.user, **form.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class CommentListCreateView(ApiViewMixin, generics.GenericAPIView):
    """The public conversation; add a comment with files as multipart/form-data."""

    serializer_class = CommentSerializer
    queryset = Ticket.objects.none()
    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        comments = ticket_public_comments(ticket=ticket)
        return Response(CommentSerializer(comments, many=True, context={"key": ticket.key}).data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request, key):
        ticket = ticket_get_for_user(user=request.user, key=key)
        form = CommentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        comment = services.ticket_comment_add(
            ticket=ticket, author=request.user, **form.validated_data
        )
        comment = ticket_public_comments(ticket=ticket).get(pk=comment.pk)
        return Response(
            CommentSerializer(comment, context={"key": ticket.key}).data,
            status=status.HTTP_201_CREATED,
        )


class AttachmentDownloadView(ApiViewMixin, generics.GenericAPIView):
    """A file of a public comment, always as a download."""

    queryset = Ticket.objects.none()

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, key, attachment_id):
        attachment = attachment_get_for_user(
            user=request.user, key=key, attachment_id=attachment_id
        )
        return attachment_download_response(attachment)
