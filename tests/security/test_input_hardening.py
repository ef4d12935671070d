"""Input hardening: email login ignores case (one account per case-folded address, in the
database), passwords like the email are refused, the cluster decides whether S1 applies, and
searches are bounded."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.factories import PASSWORD, ClusterFactory, SupportEngineerFactory, UserFactory
from tickets import services

pytestmark = pytest.mark.django_db


def test_login_accepts_the_email_in_any_case(client):
    UserFactory(email="dave.mixed@example.com")
    response = client.post(
        "/accounts/login/", {"username": "Dave.Mixed@Example.COM", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_database_keeps_one_account_per_case_folded_address():
    UserFactory(email="dave.mixed@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="DAVE.MIXED@example.com", password="x")])


@pytest.mark.parametrize("password", ["dave.mixed", "dave.mixed@example.com", "Dave Mixedson"])
def test_sign_up_refuses_a_password_like_the_email_or_name(client, password):
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "Dave Mixedson",
            "email": "dave.mixed@example.com",
            "organization_name": "Mixed Co",
            "password": password,
        },
    )
    assert response.status_code == 200
    assert "too similar" in response.text
    assert not User.objects.filter(email="dave.mixed@example.com").exists()


def test_production_on_a_non_production_cluster_is_refused(enterprise_org):
    organization, owner, _cluster = enterprise_org
    staging = ClusterFactory(organization=organization, environment="non-production")
    with pytest.raises(ValidationError) as error:
        services.ticket_create(
            reporter=owner,
            portal="technical",
            organization=organization,
            cluster=staging,
            environment="production",
            severity="S1",
            summary="Everything is down",
            description="Down.",
        )
    assert staging.name in " ".join(error.value.messages)
    assert "non-production cluster" in " ".join(error.value.messages)


def test_the_form_shows_the_cluster_environment_error(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    staging = ClusterFactory(organization=organization, environment="non-production")
    client.force_login(owner)
    response = client.post(
        "/portals/technical/",
        {
            "summary": "Everything is down",
            "organization": organization.pk,
            "cluster": staging.pk,
            "environment": "production",
            "description": "Down.",
            "severity": "S1",
        },
    )
    assert response.status_code == 200
    assert "is a non-production cluster" in response.text
    assert 'value="Everything is down"' in response.text


def test_s1_on_a_production_cluster_is_accepted(enterprise_org):
    organization, owner, cluster = enterprise_org
    ticket = services.ticket_create(
        reporter=owner,
        portal="technical",
        organization=organization,
        cluster=cluster,
        environment="production",
        severity="S1",
        summary="Everything is down",
        description="Down.",
    )
    assert ticket.severity == "S1"


def test_customer_search_beyond_20_words_is_refused_with_a_message(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.get("/requests/", {"q": " ".join(["word"] * 21)})
    assert response.status_code == 200
    assert "at most 20 words" in response.text
    assert client.get("/requests/export.csv", {"q": "x " * 30}).status_code == 400


def test_customer_search_beyond_200_characters_is_refused(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.get("/requests/", {"q": "x" * 201})
    assert "at most 200 characters" in response.text


def test_admin_search_of_1900_words_is_refused_at_once(client, django_assert_max_num_queries):
    client.force_login(SupportEngineerFactory())
    with django_assert_max_num_queries(20):  # the list page, not 1,900 lookups
        response = client.get("/admin/tickets/ticket/", {"q": " ".join(["w"] * 1900)}, follow=True)
    assert "at most 200 characters" in response.text or "at most 20 words" in response.text
    assert response.redirect_chain[-1][0] == "/admin/tickets/ticket/?"


def test_admin_search_within_the_limit_works(client):
    client.force_login(SupportEngineerFactory())
    response = client.get("/admin/tickets/ticket/", {"q": "invoice october"})
    assert response.status_code == 200
