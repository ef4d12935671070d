from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import EmailAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/api-tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("console/clusters/", views.ClusterListView.as_view(), name="cluster-list"),
    path("console/clusters/<int:pk>/", views.ClusterDetailView.as_view(), name="cluster-detail"),
    path(
        "console/organizations/new/",
        views.OrganizationCreateView.as_view(),
        name="organization-create",
    ),
    path(
        "console/organizations/<int:pk>/switch/",
        views.OrganizationSwitchView.as_view(),
        name="organization-switch",
    ),
]

auth_urlpatterns = [
    path("account/api-tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("signup/verify/<str:token>/", views.SignUpVerifyView.as_view(), name="signup-verify"),
    path("two-factor/", views.TwoFactorView.as_view(), name="two-factor"),
    path("password_change/", views.AuditedPasswordChangeView.as_view(), name="password_change"),
    path(
        "password_reset/",
        views.RateLimitedPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.AuditedPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
