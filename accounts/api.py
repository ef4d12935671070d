"""API: the organizations a user belongs to and their clusters (read only)."""

from rest_framework import generics, serializers

from accounts.models import Cluster, Organization
from accounts.selectors import (
    clusters_visible_to,
    organization_get_for_user,
    organizations_for_user,
)
from helpcenter.api.views import ApiViewMixin


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "time_zone"]


class ClusterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cluster
        fields = ["id", "name", "organization", "tier", "region", "version", "environment"]


class OrganizationListView(ApiViewMixin, generics.ListAPIView):
    """The organizations you are a member of."""

    serializer_class = OrganizationSerializer
    pagination_class = None

    def get_queryset(self):
        return organizations_for_user(user=self.request.user)


class OrganizationDetailView(ApiViewMixin, generics.RetrieveAPIView):
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()

    def get_object(self):
        return organization_get_for_user(user=self.request.user, organization_id=self.kwargs["pk"])


class ClusterListView(ApiViewMixin, generics.ListAPIView):
    """The organization's clusters; use their ids as `cluster` when filing a request."""

    serializer_class = ClusterSerializer
    pagination_class = None
    queryset = Cluster.objects.none()

    def get_queryset(self):
        organization = organization_get_for_user(
            user=self.request.user, organization_id=self.kwargs["pk"]
        )
        return clusters_visible_to(user=self.request.user, organization=organization)
