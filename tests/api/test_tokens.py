import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ORGANIZATIONS = "/api/v1/organizations/"


def client_with(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_is_stored_only_as_a_digest():
    token, raw = api_token_create(user=UserFactory(), name="Grafana", days=30)
    assert raw.startswith("hc_") and len(raw) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in str(stored)
    assert token.prefix == raw[:10]


def test_a_live_token_authenticates_and_records_when_and_from_where():
    token, raw = api_token_create(user=UserFactory(), name="Grafana", days=30)
    response = client_with(raw).get(ORGANIZATIONS, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_ip == "203.0.113.9"
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)


def test_a_revoked_token_gets_401():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="Grafana", days=30)
    api_token_revoke(user=user, token_id=token.pk)
    response = client_with(raw).get(ORGANIZATIONS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_gets_401():
    token, raw = api_token_create(user=UserFactory(), name="Grafana", days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_with(raw).get(ORGANIZATIONS).status_code == 401


def test_an_unknown_token_and_no_token_get_401():
    assert client_with("hc_not-a-real-token").get(ORGANIZATIONS).status_code == 401
    assert APIClient().get(ORGANIZATIONS).status_code == 401


def test_a_read_token_cannot_write():
    _token, raw = api_token_create(user=UserFactory(), name="dash", days=30, scope="read")
    response = client_with(raw).post("/api/v1/requests/", {}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_the_page_shows_a_new_token_once_and_lists_it(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:api-tokens"), {"name": "Pager", "days": "90", "scope": "read-write"}
    )
    assert response.status_code == 201
    raw = response.context["secret"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope) == ("Pager", "read-write")
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    again = client.get(reverse("accounts:api-tokens")).content.decode()
    assert "Pager" in again and raw not in again and token.prefix in again


def test_the_page_refuses_a_lifetime_it_does_not_offer(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("accounts:api-tokens"), {"name": "Pager", "days": "3650", "scope": "read"}
    )
    assert response.status_code == 200
    assert "days" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_avatar_menu_links_the_page(client):
    client.force_login(UserFactory())
    page = client.get(reverse("tickets:request-list")).content.decode()
    assert reverse("accounts:api-tokens") in page and "API tokens" in page


def test_revoking_from_the_page_ends_the_token(client):
    user = UserFactory()
    token, raw = api_token_create(user=user, name="Pager", days=30)
    client.force_login(user)
    client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert client_with(raw).get(ORGANIZATIONS).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client):
    token, raw = api_token_create(user=UserFactory(), name="Pager", days=30)
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert client_with(raw).get(ORGANIZATIONS).status_code == 200


def test_the_page_needs_a_login(client):
    response = client.get(reverse("accounts:api-tokens"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_command_prints_a_working_token():
    user = UserFactory(email="ops@customer.example")
    out = io.StringIO()
    call_command(
        "api_token_create",
        "--user",
        "OPS@customer.example",
        "--name",
        "check",
        "--scope",
        "read-write",
        "--days",
        "7",
        stdout=out,
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=user)
    assert (token.scope, token.name) == ("read-write", "check")
    assert client_with(raw).get(ORGANIZATIONS).status_code == 200


def test_the_command_names_an_unknown_user():
    with pytest.raises(CommandError, match="nobody@x.example"):
        call_command("api_token_create", "--user", "nobody@x.example", "--name", "x")


def test_reads_are_throttled_per_token_with_retry_after(settings):
    settings.API_THROTTLE_RATES = {"read": "3/min", "write": "60/min"}
    user = UserFactory()
    first = client_with(api_token_create(user=user, name="a", days=30)[1])
    second = client_with(api_token_create(user=user, name="b", days=30)[1])
    assert [first.get(ORGANIZATIONS).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(ORGANIZATIONS)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert second.get(ORGANIZATIONS).status_code == 200


def test_writes_have_their_own_limit(settings):
    settings.API_THROTTLE_RATES = {"read": "100/min", "write": "1/min"}
    client = client_with(
        api_token_create(user=UserFactory(), name="a", days=30, scope="read-write")[1]
    )
    assert client.post("/api/v1/requests/", {}, format="json").status_code == 400
    assert client.post("/api/v1/requests/", {}, format="json").status_code == 429
    assert client.get(ORGANIZATIONS).status_code == 200


def test_an_engineer_needs_a_verified_second_factor_to_create_a_token(engineer):
    client = Client()  # a session signed in with the password only
    client.force_login(engineer)
    response = client.post(
        reverse("accounts:api-tokens"), {"name": "triage", "days": "30", "scope": "read"}
    )
    assert response.status_code == 200
    assert "second factor" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_engineers_verified_session_gets_a_token(engineer, rf):
    from accounts.views import ApiTokenListView

    engineer.is_verified = lambda: True
    request = rf.post(
        reverse("accounts:api-tokens"), {"name": "triage", "days": "30", "scope": "read"}
    )
    request.user = engineer
    request._dont_enforce_csrf_checks = True
    response = ApiTokenListView.as_view()(request)
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=engineer).count() == 1


def test_the_command_serves_engineers_too(engineer):
    out = io.StringIO()
    call_command("api_token_create", "--user", engineer.email, "--name", "ops", stdout=out)
    assert client_with(out.getvalue().strip()).get("/api/v1/support/queues/").status_code == 200


def test_curl_without_a_content_type_still_sends_json(enterprise_org):
    organization, owner, cluster = enterprise_org
    _token, raw = api_token_create(user=owner, name="curl", days=30, scope="read-write")
    body = json.dumps(
        {
            "portal": "technical",
            "summary": "From curl",
            "organization": organization.pk,
            "cluster": cluster.pk,
            "environment": "production",
            "description": "d",
            "severity": "S3",
        }
    )
    response = client_with(raw).post(
        "/api/v1/requests/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["key"].startswith("TECH-")


def test_the_docs_page_loads_its_script_and_the_schema(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html and "swagger-ui-bundle.js" in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/v1/requests/" in schema.json()["paths"]
