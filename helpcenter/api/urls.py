"""/api/v1/: the schema, the browsable docs and every app's endpoints."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from helpcenter.api.views import not_found
from plans import api as plans_api

app_name = "api"

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("organizations/", accounts_api.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<int:pk>/",
        accounts_api.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path(
        "organizations/<int:pk>/clusters/",
        accounts_api.ClusterListView.as_view(),
        name="organization-clusters",
    ),
    path(
        "organizations/<int:pk>/plan/",
        plans_api.OrganizationPlanView.as_view(),
        name="organization-plan",
    ),
    path("plans/", plans_api.PlanListView.as_view(), name="plan-list"),
    path("", include("tickets.api.urls")),
    re_path(r"^(?P<path>.*)$", not_found),
]
