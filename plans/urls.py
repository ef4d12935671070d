from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("support/", views.CurrentSupportPlanRedirectView.as_view(), name="support-current"),
    path(
        "organizations/<int:organization_id>/support/",
        views.SupportPlanView.as_view(),
        name="support",
    ),
    path(
        "organizations/<int:organization_id>/support/ask-owners/",
        views.PlanUpgradeRequestView.as_view(),
        name="ask-owners",
    ),
    path(
        "organizations/<int:organization_id>/support/upgrade/<slug:plan_code>/",
        views.UpgradeView.as_view(),
        name="upgrade",
    ),
    path(
        "organizations/<int:organization_id>/support/upgrade/<slug:plan_code>/card/",
        views.UpgradeCardView.as_view(),
        name="upgrade-card",
    ),
    path(
        "organizations/<int:organization_id>/support/downgrade/<slug:plan_code>/",
        views.DowngradeView.as_view(),
        name="downgrade",
    ),
    path("contact-sales/", views.ContactSalesView.as_view(), name="contact-sales"),
    path(
        "contact-sales/thanks/",
        views.ContactSalesThanksView.as_view(),
        name="contact-sales-thanks",
    ),
]
