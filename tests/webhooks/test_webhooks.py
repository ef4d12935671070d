import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from helpcenter.webhooks.delivery import webhook_deliveries_to_sweep
from helpcenter.webhooks.models import WebhookDelivery, WebhookEndpoint
from helpcenter.webhooks.services import webhook_endpoint_create
from helpcenter.webhooks.signing import signature_valid
from tickets import services

pytestmark = pytest.mark.django_db


def file_request(organization, owner, cluster, shared=True):
    return services.ticket_create(
        reporter=owner,
        portal="technical",
        summary="TiFlash replica lagging",
        description="Replica lag 40 minutes.",
        severity="S2",
        organization=organization,
        cluster=cluster,
        environment="production",
        shared_with_organization=shared,
    )


def test_a_new_request_is_delivered_once_signed(
    hooked_org, receiver, django_capture_on_commit_callbacks
):
    organization, owner, cluster, endpoint = hooked_org
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_request(organization, owner, cluster)
    [(headers, body)] = receiver.wait_for(1)
    assert headers["X-Helpcenter-Event"] == "request.created"
    assert signature_valid(
        secret=endpoint.secret, body=body, header=headers["X-Helpcenter-Signature"]
    )
    assert not signature_valid(
        secret="whsec_wrong", body=body, header=headers["X-Helpcenter-Signature"]
    )
    payload = json.loads(body)
    assert payload["request"]["key"] == ticket.key
    assert payload["request"]["cluster"]["name"] == cluster.name
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Helpcenter-Delivery"] == str(delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 204)


def test_comments_status_and_resolution_but_never_internal_notes(
    hooked_org, engineer, receiver, django_capture_on_commit_callbacks
):
    organization, owner, cluster, _endpoint = hooked_org
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_request(organization, owner, cluster)
        services.ticket_comment_add(
            ticket=ticket, author=engineer, body="SECRET-NOTE", is_internal=True
        )
        services.ticket_comment_add(ticket=ticket, author=engineer, body="Rebalancing now.")
        services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
    received = receiver.wait_for(4)
    events = [headers["X-Helpcenter-Event"] for headers, _body in received]
    assert sorted(events) == sorted(
        ["request.created", "request.commented", "request.status_changed", "request.resolved"]
    )
    assert all(b"SECRET-NOTE" not in body for _headers, body in received)
    commented = next(
        json.loads(b) for h, b in received if h["X-Helpcenter-Event"] == "request.commented"
    )
    assert commented["comment"]["body"] == "Rebalancing now."


def test_a_private_request_is_not_sent(hooked_org, receiver, django_capture_on_commit_callbacks):
    organization, owner, cluster, _endpoint = hooked_org
    with django_capture_on_commit_callbacks(execute=True):
        file_request(organization, owner, cluster, shared=False)
    assert not WebhookDelivery.objects.exists()


def test_only_subscribed_events_are_sent(hooked_org, engineer, django_capture_on_commit_callbacks):
    organization, owner, cluster, endpoint = hooked_org
    endpoint.events = ["request.resolved"]
    endpoint.save(update_fields=["events"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_request(organization, owner, cluster)
        services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == ["request.resolved"]


def test_only_the_organizations_active_endpoints_get_the_event(
    hooked_org, org_factory, django_capture_on_commit_callbacks
):
    organization, owner, cluster, endpoint = hooked_org
    other, _other_owner, _cluster = org_factory("enterprise")
    events = ["request.created"]
    paused = WebhookEndpoint.objects.create(
        organization=organization, url="https://paused.example/", events=events, is_active=False
    )
    second = WebhookEndpoint.objects.create(
        organization=organization, url="https://a.example/", events=events
    )
    WebhookEndpoint.objects.create(organization=other, url="https://other.example/", events=events)
    with django_capture_on_commit_callbacks():
        file_request(organization, owner, cluster)
    delivered = WebhookDelivery.objects.order_by("pk").values_list("endpoint", flat=True)
    assert list(delivered) == [endpoint.pk, second.pk]  # by address: "http:" before "https:"
    assert paused.pk not in delivered


def test_a_refusing_endpoint_backs_off_then_fails_and_can_be_redelivered(
    hooked_org, receiver, settings, client, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    organization, owner, cluster, _endpoint = hooked_org
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        file_request(organization, owner, cluster)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at > delivery.created_at
    WebhookDelivery.objects.update(next_attempt_at=delivery.created_at.replace(year=2000))
    assert webhook_deliveries_to_sweep() == [delivery.pk]
    from helpcenter.webhooks.delivery import webhook_deliver

    assert webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == "failed"

    client.force_login(owner)
    page = client.get(reverse("webhooks:list", args=[organization.pk])).content.decode()
    assert "Failed" in page and "Redeliver" in page and "HTTP 500" in page
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:redeliver", args=[organization.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.wait_for(3)) == 3


def test_only_https_and_public_addresses(enterprise_org, settings):
    settings.WEBHOOK_ALLOW_LOCAL_HTTP = False
    organization, owner, _cluster = enterprise_org
    for url in [
        "http://hooks.example.com/x",
        "http://127.0.0.1:9/x",
        "https://10.0.0.5/x",
        "https://localhost/x",
    ]:
        with pytest.raises(ValidationError):
            webhook_endpoint_create(
                actor=owner, organization=organization, url=url, events=["request.created"]
            )
    webhook_endpoint_create(
        actor=owner,
        organization=organization,
        url="https://hooks.example.com/x",
        events=["request.created"],
    )
    assert WebhookEndpoint.objects.count() == 1


def test_members_who_are_not_owners_cannot_register(enterprise_org, member_of):
    organization, _owner, _cluster = enterprise_org
    with pytest.raises(PermissionDenied):
        webhook_endpoint_create(
            actor=member_of(organization),
            organization=organization,
            url="https://hooks.example.com/x",
            events=["request.created"],
        )


def test_page_access_matrix(enterprise_org, member_of, org_factory, client):
    organization, owner, _cluster = enterprise_org
    url = reverse("webhooks:list", args=[organization.pk])
    assert client.get(url).status_code == 302
    client.force_login(org_factory()[1])
    assert client.get(url).status_code == 404
    client.force_login(member_of(organization))
    assert client.get(url).status_code == 403
    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_owner_adds_and_removes_an_endpoint_on_the_page(enterprise_org, client):
    organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    url = reverse("webhooks:list", args=[organization.pk])
    refused = client.post(url, {"url": "http://hooks.example.com/x", "events": ["request.created"]})
    assert "https://" in refused.content.decode()
    client.post(url, {"url": "https://hooks.example.com/x", "events": ["request.created"]})
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in client.get(url).content.decode()
    client.post(reverse("webhooks:delete", args=[organization.pk, endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()
