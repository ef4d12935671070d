"""Open redirect: `next` after login, after switching organization and after enrolling a
second factor only ever leads to this site."""

import pytest

from tests.factories import PASSWORD, SupportEngineerFactory
from tests.security.conftest import totp_code

pytestmark = pytest.mark.django_db

FOREIGN = ["https://evil.example/", "//evil.example/", "/\\evil.example", "https:evil.example"]


@pytest.mark.parametrize("target", FOREIGN)
def test_login_never_redirects_off_site(client, basic_org, target):
    _organization, owner, _cluster = basic_org
    response = client.post(
        "/accounts/login/", {"username": owner.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.parametrize("target", FOREIGN)
def test_admin_login_never_redirects_off_site(client, target):
    engineer = SupportEngineerFactory()
    response = client.post(
        f"/admin/login/?next={target}",
        {"username": engineer.email, "password": PASSWORD, "otp_token": totp_code()},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


@pytest.mark.parametrize("target", FOREIGN)
def test_switching_organization_never_redirects_off_site(client, basic_org, target):
    organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post(f"/console/organizations/{organization.pk}/switch/", {"next": target})
    assert response.url == "/console/clusters/"


@pytest.mark.parametrize("target", FOREIGN)
def test_enrolment_never_links_off_site(client, target):
    engineer = SupportEngineerFactory(authenticator=False)
    client.force_login(engineer)
    page = client.get("/accounts/two-factor/", {"next": target})
    done = client.post(
        "/accounts/two-factor/", {"otp_token": totp_code(page.context["secret"]), "next": target}
    )
    assert "evil.example" not in done.text
