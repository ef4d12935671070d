"""The Redis cache backend (helpcenter/cache.py): Django's, with its client built once."""

import os
import uuid

from helpcenter.cache import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_the_redis_cache_reuses_one_client_for_every_operation():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    cache.set("answer", {"value": 42})
    assert cache.get("answer") == {"value": 42}
    assert cache._cache.get_client("answer") is cache._cache.get_client("other", write=True)
    cache.delete("answer")
    assert cache.get("answer") is None
