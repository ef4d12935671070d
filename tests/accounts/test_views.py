import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership, Organization, OutboundEmail, User
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY
from tests.factories import PASSWORD, ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def console_urls(cluster):
    return [
        reverse("accounts:cluster-detail", args=[cluster.pk]),
        reverse("tickets:portal-technical") + f"?cluster={cluster.pk}",
        reverse("tickets:portal-billing") + f"?cluster={cluster.pk}",
    ]


def test_login_with_email_and_password_reaches_the_help_center(client, basic_org):
    _org, owner, _cluster = basic_org
    response = client.post(
        "/accounts/login/", {"username": owner.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Welcome to the TiDB Cloud Help Center" in response.text


def test_login_with_a_wrong_password_says_so(client, basic_org):
    _org, owner, _cluster = basic_org
    response = client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.text


def test_anonymous_visitors_are_sent_to_log_in(client, basic_org):
    _org, _owner, cluster = basic_org
    for url in ["/", "/console/clusters/", *console_urls(cluster)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url


def test_log_out_ends_the_session(client, basic_org):
    _org, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.fixture
def sign_up(client, django_capture_on_commit_callbacks):
    def post(email="Dana@Newco.example", organization_name="Newco"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/accounts/signup/",
                {
                    "full_name": "Dana Diaz",
                    "email": email,
                    "organization_name": organization_name,
                    "password": "a-long-unusual-passphrase",
                },
            )

    return post


def _sent_link(mailoutbox, path_part):
    return next(
        line.strip().removeprefix(settings.SITE_URL)
        for line in mailoutbox[-1].body.splitlines()
        if path_part in line
    )


def test_sign_up_sends_a_verification_link_and_creates_nothing_visible_yet(sign_up, mailoutbox):
    response = sign_up()
    assert response.status_code == 200
    assert "Check your email" in response.text
    user = User.objects.get(email="dana@newco.example")
    assert not user.is_active
    assert not Organization.objects.filter(name="Newco").exists()
    assert mailoutbox[-1].to == ["dana@newco.example"]
    assert "Newco" not in mailoutbox[-1].body and "Dana" not in mailoutbox[-1].body


def test_following_the_link_activates_the_account_and_creates_the_organization(
    client, sign_up, mailoutbox
):
    sign_up()
    link = _sent_link(mailoutbox, "/accounts/signup/verify/")
    assert "Confirm your email address" in client.get(link).text
    response = client.post(link, follow=True)
    user = User.objects.get(email="dana@newco.example")
    organization = Organization.objects.get(name="Newco")
    assert user.is_active
    assert Membership.objects.get(user=user, organization=organization).role == "owner"
    assert "Newco is on the free Basic support plan" in response.text
    assert response.context["user"] == user


def test_password_reset_is_queued_as_an_email(
    client, basic_org, django_capture_on_commit_callbacks, mailoutbox
):
    _org, owner, _cluster = basic_org
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": owner.email})
    assert response.status_code == 302
    email = OutboundEmail.objects.get(to_email=owner.email)
    assert email.status == OutboundEmail.Status.SENT
    assert "/accounts/reset/" not in email.text_body
    assert "/accounts/reset/" in mailoutbox[-1].body


def test_clusters_page_lists_only_the_current_organizations_clusters(
    client, basic_org, org_factory
):
    organization, owner, cluster = basic_org
    _other_org, _other_owner, other_cluster = org_factory("enterprise")
    client.force_login(owner)
    response = client.get("/console/clusters/")
    assert cluster.name in response.text
    assert other_cluster.name not in response.text
    assert "Get Support" in response.text
    assert f"/portals/technical/?cluster={cluster.pk}" in response.text


def test_every_page_has_the_console_navigation(client, basic_org):
    _org, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.get("/requests/")
    for label in [
        "Clusters",
        "Request Support",
        "Contact Sales",
        "Support",
        "Create a Support Ticket",
        "Requests",
        "Log out",
    ]:
        assert label in response.text, label


def test_cluster_overview_shows_its_details_and_get_support(client, basic_org):
    _org, owner, cluster = basic_org
    client.force_login(owner)
    response = client.get(reverse("accounts:cluster-detail", args=[cluster.pk]))
    assert response.status_code == 200
    assert cluster.version in response.text
    assert "Get Support" in response.text


@pytest.mark.parametrize("url_index", range(3))
def test_another_organizations_cluster_is_not_found_on_every_console_url(
    client, basic_org, org_factory, url_index
):
    _org, owner, _cluster = basic_org
    _other, _other_owner, other_cluster = org_factory("enterprise")
    client.force_login(owner)
    assert client.get(console_urls(other_cluster)[url_index]).status_code == 404


def test_a_cluster_that_does_not_exist_is_the_same_404(client, basic_org):
    _org, owner, _cluster = basic_org
    client.force_login(owner)
    assert client.get("/console/clusters/999999/").status_code == 404


def test_organization_switcher_changes_the_clusters_page(client, basic_org, org_factory):
    first, owner, first_cluster = basic_org
    second, _second_owner, second_cluster = org_factory("developer")
    MembershipFactory(user=owner, organization=second)
    client.force_login(owner)
    response = client.post(
        reverse("accounts:organization-switch", args=[second.pk]), {"next": "/console/clusters/"}
    )
    assert response.url == "/console/clusters/"
    page = client.get("/console/clusters/").text
    assert second_cluster.name in page
    assert first_cluster.name not in page
    assert client.session[CURRENT_ORGANIZATION_SESSION_KEY] == second.pk


def test_switching_to_a_foreign_organization_is_404_and_changes_nothing(
    client, basic_org, org_factory
):
    organization, owner, _cluster = basic_org
    other, _other_owner, _other_cluster = org_factory()
    client.force_login(owner)
    response = client.post(reverse("accounts:organization-switch", args=[other.pk]))
    assert response.status_code == 404
    assert client.session.get(CURRENT_ORGANIZATION_SESSION_KEY) is None


def test_a_member_of_two_organizations_sees_the_switcher(client, basic_org, org_factory):
    first, owner, _cluster = basic_org
    second, _o, _c = org_factory()
    MembershipFactory(user=owner, organization=second)
    client.force_login(owner)
    response = client.get("/console/clusters/")
    assert "Switch organization" in response.text
    assert second.name in response.text


def test_user_without_organization_sees_an_empty_console(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/console/clusters/")
    assert response.status_code == 200
    assert "has no clusters yet" in response.text


def test_cluster_version_must_look_like_a_release(db):
    from django.core.exceptions import ValidationError

    cluster = ClusterFactory.build(
        version="8.5", organization=Organization.objects.create(name="X")
    )
    with pytest.raises(ValidationError):
        cluster.full_clean()
