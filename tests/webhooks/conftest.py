import pytest

from helpcenter.webhooks.services import webhook_endpoint_create
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def hooked_org(enterprise_org, receiver, settings):
    """An enterprise organization whose owner registered the local receiver for every event."""
    settings.WEBHOOK_ALLOW_LOCAL_HTTP = True
    organization, owner, cluster = enterprise_org
    endpoint = webhook_endpoint_create(
        actor=owner,
        organization=organization,
        url=receiver.url,
        events=[
            "request.created",
            "request.commented",
            "request.status_changed",
            "request.resolved",
        ],
    )
    return organization, owner, cluster, endpoint
