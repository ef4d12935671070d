"""API: the support plans, and the plan an organization is on (read only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from accounts.selectors import organization_get_for_user
from helpcenter.api.views import ApiViewMixin
from plans.models import Plan, ResponseTarget
from plans.selectors import plan_for_organization, plans_for_support_page


class ResponseTargetSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ResponseTarget
        fields = ["severity", "minutes", "business_hours", "label"]


class PlanSerializer(serializers.ModelSerializer):
    portals = serializers.SerializerMethodField()
    response_targets = ResponseTargetSerializer(many=True, read_only=True)
    features = serializers.ListField(source="feature_list", child=serializers.CharField())

    class Meta:
        model = Plan
        fields = [
            "code",
            "name",
            "rank",
            "audience",
            "purchase",
            "monthly_price",
            "trial_days",
            "response_clock",
            "portals",
            "response_targets",
            "features",
        ]

    def get_portals(self, plan) -> list[str]:
        return sorted(portal.portal for portal in plan.portals.all())


class PlanListView(ApiViewMixin, generics.ListAPIView):
    """Every support plan with its portals and first-response targets."""

    serializer_class = PlanSerializer
    pagination_class = None

    def get_queryset(self):
        return plans_for_support_page()


class OrganizationPlanView(ApiViewMixin, generics.GenericAPIView):
    """The plan the organization is on now (Basic without a subscription)."""

    serializer_class = PlanSerializer

    @extend_schema(responses=PlanSerializer)
    def get(self, request, pk):
        organization = organization_get_for_user(user=request.user, organization_id=pk)
        current = plan_for_organization(organization=organization)
        plan = plans_for_support_page().get(pk=current.pk)
        return Response(PlanSerializer(plan).data)
