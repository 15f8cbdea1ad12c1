"""The places that lean on Django's, redis-py's or psycopg's internals for speed (ARCHITECTURE.md, "Framework
internals we rely on for speed"): each test here fails loudly when an upgrade moves what a shortcut relies on,
instead of the shortcut quietly doing something else. `python -m bench.internals` says whether each pays."""

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

from cartable.accounts.backends import _user_query, read_user
from cartable.accounts.models import User
from cartable.lib.cache import RedisCache, RedisCacheClient
from cartable.lib.urls import url_for, url_format
from cartable.lib.widgets import IdsChoiceField

ROOT = Path(__file__).resolve().parent.parent


# 1. The user of each request, read with SQL compiled once (cartable/accounts/backends.py).


def test_the_compiled_user_query_is_the_orms(db):
    """The SQL compiler's as_sql(), select and get_converters() are what read_user builds on."""
    query = _user_query(User, "default")
    sql, params = User.objects.filter(pk=12345).query.sql_with_params()
    assert query.sql == sql and list(params) == [12345]
    assert query.columns == [field.attname for field in User._meta.concrete_fields]
    compiler = User.objects.filter(pk=0).query.get_compiler("default")
    compiler.as_sql()
    assert all(len(selected) == 3 for selected in compiler.select)
    assert isinstance(compiler.get_converters([column for column, _, _ in compiler.select]), dict)


def test_the_user_read_is_a_model_instance_from_the_database(db):
    user = User.objects.create(username="interne.lecture")
    read = read_user(user.pk)
    assert type(read) is User and read.pk == user.pk and read.username == user.username
    assert read._state.adding is False and read._state.db == "default"  # as Model.from_db leaves it


# 2. One Redis client per connection pool (cartable/lib/cache.py).


def test_the_redis_client_override_is_the_one_django_calls():
    """RedisCache builds its client from the private `_class`; every operation goes through get_client(),
    which takes the pool from `_get_connection_pool(write)` and the class from `_client`. No server is
    contacted."""
    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    assert type(cache._cache) is RedisCacheClient
    for operation in ("get", "set", "add", "delete", "get_many", "incr", "touch", "has_key"):
        assert "self.get_client(" in inspect.getsource(getattr(DjangoRedisCacheClient, operation)), operation
    assert list(inspect.signature(DjangoRedisCacheClient.get_client).parameters) == ["self", "key", "write"]
    pool = cache._cache._get_connection_pool(True)
    client = cache._cache.get_client("a", write=True)
    assert client is cache._cache.get_client("b") and client.connection_pool is pool
    assert isinstance(client, cache._cache._client)
    # Django's own still builds one client per call: the override has something to save.
    django = DjangoRedisCache("redis://127.0.0.1:6379/15", {})
    assert django._cache.get_client("a") is not django._cache.get_client("a")


def test_the_unchecked_delete_many_deletes_what_djangos_does():
    """RedisCache.delete_many skips Django's per-key check and hands the made keys to the private `_cache`'s
    delete_many, as Django's own does."""
    assert "self._cache.delete_many(" in inspect.getsource(DjangoRedisCache.delete_many)
    assert list(inspect.signature(DjangoRedisCacheClient.delete_many).parameters) == ["self", "keys"]
    if not os.environ.get("REDIS_URL"):
        pytest.skip("no Redis configured (REDIS_URL)")
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "internals"})
    keys = [f"internals:{n}" for n in range(3)]
    cache.set_many(dict.fromkeys(keys, 1))
    cache.delete_many(keys[:2])
    cache.delete_many([])
    assert cache.get_many(keys) == {keys[2]: 1}
    cache.delete_many(keys)


# 3. Addresses from a route reversed once with placeholder numbers (cartable/lib/urls.py).


def routes_with_whole_numbers(patterns=None, namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_with_whole_numbers(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if not isinstance(pattern.pattern, RoutePattern):
                if pattern.pattern.regex.groups == 0:
                    yield f"{namespace}{pattern.name}", 0
                continue
            converters = pattern.pattern.converters
            if all(isinstance(converter, IntConverter) for converter in converters.values()):
                yield f"{namespace}{pattern.name}", len(converters)


def test_every_whole_number_route_gives_reverses_address():
    """The placeholder's digits must come out of reverse() as they went in, on every route url_for serves."""
    routes = list(routes_with_whole_numbers())
    assert len([name for name, count in routes if count]) > 20
    for name, count in routes:
        for args in ([7 + i for i in range(count)], [2**40 + i for i in range(count)]):
            assert url_for(name, *args) == reverse(name, args=args), name


def test_fixed_words_and_formatters_give_reverses_address():
    """A fixed word of a route is reversed as it is; url_format gives the same addresses as url_for."""
    for pk in (7, 2**40):
        expected = reverse("albums:photo_file", args=[pk, "vignette"])
        assert url_format("albums:photo_file", None, "vignette")(pk) == expected
        assert (
            url_format("albums:photo", None)(pk)
            == reverse("albums:photo", args=[pk])
            == url_for("albums:photo", pk)
        )
    assert url_format("albums:photo_file", None, "web")(7) == reverse("albums:photo_file", args=[7, "web"])


# 4. gc.freeze() once the application is loaded (cartable/wsgi.py).


def test_the_web_server_freezes_what_it_loaded():
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"} | {"DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", "import gc, cartable.wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 10_000  # Django, the URL patterns and the apps' modules


# 5. Ids checked before the query (cartable/lib/widgets.py overrides a private method).


def test_ticked_ids_are_checked_by_the_private_hook_django_calls(db, django_assert_num_queries):
    assert "self._check_values(" in inspect.getsource(forms.ModelMultipleChoiceField.clean)
    field = IdsChoiceField(queryset=User.objects.all())
    with django_assert_num_queries(0), pytest.raises(ValidationError) as raised:
        field.clean(["²"])
    assert raised.value.code == "invalid_pk_value"


# 6. COPY through Django's cursor wrapper (copy_rows, the directory's bulk writes on PostgreSQL).


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_cursor_wrapper_hands_over_psycopgs_copy(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE internals_copy (n bigint, t text)")
        with cursor.cursor.copy("COPY internals_copy (n, t) FROM STDIN") as copy:
            copy.write_row((1, "un"))
            copy.write_row((2, None))
        cursor.execute("SELECT n, t FROM internals_copy ORDER BY n")
        assert cursor.fetchall() == [(1, "un"), (2, None)]
