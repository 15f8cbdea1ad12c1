"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache call, and building one
registers some 170 response callbacks: about 0.1 ms of CPU each time, several times per page (the
session, the directory facts). A `redis.Redis` client holds no connection of its own — it borrows
one from its pool for each command — and is safe to share between threads, so one per pool is kept
for as long as the cache object lives. Everything else (pools, serializer, options) is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(pool) -> client; the pools live as long as this object, so an id is never reused.
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own helpers, which django-stubs leave out: the pool for this call (a replica is
        # picked at random for reads when there are several servers) and the client class.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            new = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            client = self._clients.setdefault(id(pool), new)
        return client


class RedisCache(DjangoRedisCache):
    """`CACHES["default"]["BACKEND"] = "cartable.lib.cache.RedisCache"`: same LOCATION and OPTIONS."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        """Django's, without checking each key against memcached's rules (a loop over every character, most of
        the time of a version bump for the 2,000 guardians of a collège): the keys we delete are Cartable's
        version keys, short and ASCII, and Redis takes any key."""
        made = [self.make_key(key, version=version) for key in keys]
        if made:
            self._cache.delete_many(made)
