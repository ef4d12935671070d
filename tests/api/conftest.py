import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings):
    """Each test starts with empty throttle counters (they live in the default cache)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def bearer():
    """An API client authenticated with a new token of `user`."""

    def make(user, scope="read-write", days=30):
        _token, raw = api_token_create(
            user=user, name="test", days=days, scope=scope, second_factor_verified=True
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
