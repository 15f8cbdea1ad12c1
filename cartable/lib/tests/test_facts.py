"""Facts under version numbers: never used after a write, read from the process's copy while unchanged, and
a page's version numbers read in one round trip."""

import time

import pytest
from django.core.cache import cache, caches
from django.db import transaction
from django.test import RequestFactory

from cartable.lib import facts

pytestmark = pytest.mark.django_db


class Loads:
    """A loader that counts its calls and returns a new value each time."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> tuple:
        self.count += 1
        return ("fact", self.count)


@pytest.fixture(autouse=True)
def _fresh_process():
    facts.forget_local()
    yield
    facts.forget_local()


def test_a_fact_is_loaded_once_while_its_versions_are_unchanged():
    load = Loads()
    assert facts.cached("test:a", ["test:v"], load) == ("fact", 1)
    assert facts.cached("test:a", ["test:v"], load) == ("fact", 1)
    facts.bump(["test:v"])
    assert facts.cached("test:a", ["test:v"], load) == ("fact", 2)
    assert load.count == 2


def test_another_process_uses_the_shared_copy_and_sees_the_bump():
    load = Loads()
    facts.cached("test:a", ["test:v"], load)
    facts.forget_local()  # as if another process asked
    assert facts.cached("test:a", ["test:v"], load) == ("fact", 1)
    assert load.count == 1
    facts.bump(["test:v"])  # a write in any process renews the number in the shared cache
    assert facts.cached("test:a", ["test:v"], load) == ("fact", 2)


def test_the_process_copy_is_checked_against_the_shared_numbers():
    # Another process wrote: it renewed the number in the shared cache only. This process's copy must not
    # be used any more.
    load = Loads()
    facts.cached("test:a", ["test:v"], load)
    cache.delete("test:v")
    assert facts.cached("test:a", ["test:v"], load) == ("fact", 2)


def test_a_fact_depends_on_each_of_its_versions():
    load = Loads()
    facts.cached("test:a", ["test:v1", "test:v2"], load)
    facts.bump(["test:v2"])
    assert facts.cached("test:a", ["test:v1", "test:v2"], load) == ("fact", 2)
    facts.cached("test:b", ["test:v1"], Loads())
    assert facts.cached("test:b", ["test:v1"], Loads()) == ("fact", 1)  # v2 is not one of its versions


def test_a_write_during_a_load_leaves_the_loaded_fact_unused():
    def load_while_someone_writes():
        facts.bump(["test:v"])
        return "read before the write"

    facts.cached("test:a", ["test:v"], load_while_someone_writes)
    assert facts.cached("test:a", ["test:v"], lambda: "read after the write") == "read after the write"


def test_the_number_is_renewed_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    (start,) = facts.numbers(["test:v"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        facts.bump(["test:v"])
        (inside,) = facts.numbers(["test:v"])
        assert inside != start  # at once, for this transaction's own reads
    assert len(callbacks) == 1
    (after,) = facts.numbers(["test:v"])
    assert after != inside  # and after the commit, for readers that kept pre-commit facts in between


def test_a_bump_for_many_people_can_wait_for_the_commit(django_capture_on_commit_callbacks):
    (start,) = facts.numbers(["test:v"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        facts.bump(["test:v"], at_once=False)
        assert facts.numbers(["test:v"]) == (start,)
    assert facts.numbers(["test:v"]) != (start,)


def test_a_fact_is_used_until_its_own_expiry():
    loads = []

    def load_expiring(when):
        def load():
            loads.append(1)
            return len(loads), when

        return load

    past, future = time.time() - 1, time.time() + 3600
    assert facts.cached_until("test:e", ["test:v"], load_expiring(past)) == 1
    assert facts.cached_until("test:e", ["test:v"], load_expiring(future)) == 2
    assert facts.cached_until("test:e", ["test:v"], load_expiring(future)) == 2


def test_build_runs_once_per_process_and_its_result_is_shared():
    builds = []

    def build(value):
        builds.append(value)
        return {"built": value}

    def load():
        return 1

    first = facts.cached("test:a", ["test:v"], load, build)
    assert facts.cached("test:a", ["test:v"], load, build) is first
    assert builds == [1]
    # The shared cache holds what load() returned, not the built object.
    assert cache.get(f"facts:{facts.fingerprint(load, build)}:test:a")[3] == 1


def test_an_entry_of_another_shape_is_ignored():
    # Facts have their own key space (an older release's entries elsewhere are never read), and an entry of
    # another shape in it is read again.
    cache.set("test:a", 42)
    cache.set("facts:test:b", 42)
    assert facts.cached("test:a", ["test:v"], lambda: "new") == "new"
    assert facts.cached("test:b", ["test:v"], lambda: "new") == "new"


def request_with_session(user_id: int | None, path: str = "/"):
    request = RequestFactory().get(path)
    request.session = {"_auth_user_id": str(user_id)} if user_id is not None else {}  # type: ignore[assignment]
    return request


class CountingCache:
    """Counts get_many calls on the real cache."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[list[str]] = []
        backend = caches["default"]
        real = backend.get_many

        def get_many(keys, *args, **kwargs):
            self.calls.append(list(keys))
            return real(keys, *args, **kwargs)

        monkeypatch.setattr(backend, "get_many", get_many)


def test_a_page_reads_all_its_version_numbers_in_one_round_trip(monkeypatch):
    def page(request):
        facts.cached("test:a", ["test:v1"], lambda: 1)
        facts.cached("test:b", ["test:v2", "test:v3"], lambda: 2)
        facts.cached("test:c", ["test:v1", "test:v3"], lambda: 3)
        return "ok"

    middleware = facts.VersionsMiddleware(page)
    middleware(request_with_session(7))  # the first visit learns which numbers the page needs
    counting = CountingCache(monkeypatch)
    assert middleware(request_with_session(7)) == "ok"
    assert len(counting.calls) == 1
    assert set(counting.calls[0]) == {"test:v1", "test:v2", "test:v3"}


def test_within_a_request_a_bump_is_seen_at_once():
    seen: list[tuple] = []
    load = Loads()

    def page(request):
        seen.append(facts.cached("test:a", ["test:v"], load))
        facts.bump(["test:v"])
        seen.append(facts.cached("test:a", ["test:v"], load))
        return "ok"

    facts.VersionsMiddleware(page)(request_with_session(7))
    assert seen == [("fact", 1), ("fact", 2)]


def test_a_write_by_another_request_is_seen_by_the_next_request():
    values: list[int] = []

    def page(request):
        values.append(facts.cached("test:a", ["test:v"], lambda: len(values)))
        return "ok"

    middleware = facts.VersionsMiddleware(page)
    middleware(request_with_session(7))
    middleware(request_with_session(7))
    facts.bump(["test:v"])  # another request, another process: only the shared number changes
    middleware(request_with_session(7))
    assert values == [0, 0, 2]


def test_the_shared_key_follows_the_code_that_gives_the_fact_its_shape(tmp_path):
    """No format number to change by hand: the fingerprint of a fact's key changes with the source of the
    module defining its load and build, and only then."""
    import importlib.util

    def module(name: str, body: str):
        path = tmp_path / f"{name}.py"
        path.write_text(body)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        found = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(found)
        return found

    before = module("shape_before", "def load():\n    return (1, 'a')\n")
    same = module("shape_same", "def load():\n    return (1, 'a')\n")
    after = module("shape_after", "def load():\n    return (1, 'a', None)\n")
    assert facts.fingerprint(before.load) == facts.fingerprint(same.load)
    assert facts.fingerprint(before.load) != facts.fingerprint(after.load)
    # A release's facts and the next one's never meet.
    facts.cached("test:shape", ["test:v"], before.load)
    assert facts.cached("test:shape", ["test:v"], after.load) == (1, "a")  # this process's copy
    facts.forget_local()
    assert facts.cached("test:shape", ["test:v"], after.load) == (1, "a", None)


def test_no_hand_written_format_numbers_in_fact_keys():
    """The shapes are fingerprinted: constants like VIEWER_FACTS_FORMAT = "viewer2" must not come back."""
    import re
    from pathlib import Path

    root = Path(facts.__file__).resolve().parents[1]
    found = [
        f"{path.relative_to(root)}: {line.strip()}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for line in path.read_text().splitlines()
        if re.search(r"_FORMAT\s*=\s*\"|cached(_until)?\(\s*f?\"[^\"]*:v\d+:", line)
    ]
    assert found == []


def test_a_fact_depending_on_keys_its_value_names_is_renewed_by_them():
    def load():
        return ("school", 7)

    def depends(value):
        return [f"test:school:{value[1]}"]

    loads = []

    def counted():
        loads.append(1)
        return load()

    assert facts.cached("test:dep", ["test:v"], counted, depends=depends) == ("school", 7)
    # Read twice the first time: the key its value names had not been read before the first load.
    assert len(loads) == 2
    facts.cached("test:dep", ["test:v"], counted, depends=depends)
    assert len(loads) == 2
    facts.bump(["test:school:8"])
    facts.cached("test:dep", ["test:v"], counted, depends=depends)
    assert len(loads) == 2
    facts.bump(["test:school:7"])
    facts.cached("test:dep", ["test:v"], counted, depends=depends)
    assert len(loads) == 3
