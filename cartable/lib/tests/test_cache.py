"""The Redis cache backend against a real Redis (skipped when none answers on REDIS_URL or database 9)."""

import os
import threading
import uuid

import pytest

from cartable.lib.cache import RedisCache

redis = pytest.importorskip("redis")
TEST_URL = os.environ.get("CARTABLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture
def backend():
    try:
        redis.Redis.from_url(TEST_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_URL}")
    prefix = f"cartable-test-{uuid.uuid4().hex}"
    yield RedisCache(TEST_URL, {"KEY_PREFIX": prefix})
    raw = redis.Redis.from_url(TEST_URL)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)


def test_values_round_trip_through_redis(backend):
    backend.set("answer", {"value": 42}, timeout=30)
    backend.set("count", 1, timeout=30)
    assert backend.get("answer") == {"value": 42}
    assert backend.incr("count", 2) == 3
    assert backend.get_many(["answer", "count", "missing"]) == {"answer": {"value": 42}, "count": 3}
    assert backend.add("answer", "other") is False
    backend.delete("answer")
    assert backend.get("answer", "gone") == "gone"
    # Really stored in Redis, under Django's key layout, not in this process.
    raw = redis.Redis.from_url(TEST_URL)
    assert raw.get(backend.make_key("count")) == b"3"


def test_one_client_is_reused_for_every_call(backend):
    first = backend._cache.get_client("a")
    assert backend._cache.get_client("b") is first
    assert backend._cache.get_client("c", write=True) is first  # a single server: one pool for both


def test_the_shared_client_serves_several_threads(backend):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                backend.set(f"t{n}:{i}", (n, i), timeout=30)
                assert backend.get(f"t{n}:{i}") == (n, i)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
