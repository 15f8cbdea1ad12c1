"""A person's lifecycle, each app's part of it found by convention: `cartable/<app>/lifecycle.py`.

The directory owns people, but every app keeps rows about them. Without signals (house rule 2), the
directory does not reach into the other apps: each app says, in its `lifecycle.py`,

- `PERSONAL_DATA`: every model of the app (or a library model the app is responsible for) that points at a
  person or an account, with its `Fate` at the purge (rule C5). `tests/test_lifecycle_registry.py` fails when
  such a model is declared nowhere;
- `forget(people)`: delete what the app keeps about `people` when their account is purged while their
  contributions are kept (those who objected are deleted with their account, and everything cascades);
- `nightly(now)`: the app's nightly maintenance (trace retention…), returning counts by name, summed over
  the apps into the maintenance's log line;
- `schedule()`: queue the app's recurring work if it is not queued yet (`manage.py plan_daily_tasks`),
  returning what it did, in words for the operator ("maintenance de nuit déjà programmée");
- `year_filled_since(year, since)`: whether the app has already filled the new school `year` since the
  rollover at `since` (then the rollover can no longer be undone);
- `trace_created(school, actor, user_ids)`: trace accounts an admin created in bulk (rule C8;
  cartable.directory.bulk).

Every hook is optional. Demo data follow the same convention in `cartable/<app>/demo.py` (`seed_demo(plan)`,
cartable.directory.demo). Modules are found in INSTALLED_APPS order: the directory, first, purges first.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.db.models import Model
from django.utils.module_loading import module_has_submodule

MODULE = "lifecycle"


class Fate(enum.StrEnum):
    """What becomes of a model's rows about a person when their account is purged (rule C5)."""

    # Deleted (or their personal fields emptied) by the app's forget(), for everybody.
    FORGOTTEN = "forgotten"
    # What the person wrote: kept under "Ancien compte", deleted with the person when they objected at closure
    # (the relation cascades).
    CONTRIBUTION = "contribution"
    # The school's record, or another person's data naming them (a lesson's author, a message's recipient):
    # kept, and then naming "Ancien compte".
    RECORD = "record"
    # A trace (rule C8): kept for the retention period, deleted by age by the app's nightly().
    TRACE = "trace"


@dataclass(frozen=True)
class Forgetting:
    """The people being purged: their directory ids and their accounts' ids."""

    person_ids: list[int]
    user_ids: list[int]


@dataclass(frozen=True)
class AppLifecycle:
    label: str
    personal_data: Mapping[type[Model], Fate] = field(default_factory=dict)
    forget: Callable[[Forgetting], None] | None = None
    nightly: Callable[[datetime], Mapping[str, int]] | None = None
    schedule: Callable[[], list[str]] | None = None
    year_filled_since: Callable[[Any, datetime], bool] | None = None
    trace_created: Callable[[Any, Any, list[int]], None] | None = None


def own_apps() -> list[AppConfig]:
    return [config for config in apps.get_app_configs() if config.name.startswith("cartable.")]


def app_modules(name: str) -> list[tuple[AppConfig, ModuleType]]:
    """Each Cartable app's submodule `name`, for the apps that have one, in INSTALLED_APPS order."""
    return [
        (config, import_module(f"{config.name}.{name}"))
        for config in own_apps()
        if module_has_submodule(config.module, name)
    ]


@cache
def registry() -> tuple[AppLifecycle, ...]:
    """Every app's declared lifecycle (read once per process: it is code, not data)."""
    return tuple(
        AppLifecycle(
            label=config.label,
            personal_data=dict(getattr(module, "PERSONAL_DATA", {})),
            forget=getattr(module, "forget", None),
            nightly=getattr(module, "nightly", None),
            schedule=getattr(module, "schedule", None),
            year_filled_since=getattr(module, "year_filled_since", None),
            trace_created=getattr(module, "trace_created", None),
        )
        for config, module in app_modules(MODULE)
    )


def declared() -> dict[type[Model], tuple[str, Fate]]:
    """Every declared model, with the app declaring it and its fate."""
    found: dict[type[Model], tuple[str, Fate]] = {}
    for app in registry():
        for model, fate in app.personal_data.items():
            found[model] = (app.label, fate)
    return found


def forget(people: Forgetting) -> None:
    """Every app forgets what it keeps about `people` (inside the purge's transaction)."""
    for app in registry():
        if app.forget is not None:
            app.forget(people)


def run_nightly(now: datetime) -> dict[str, int]:
    done: Counter[str] = Counter()
    for app in registry():
        if app.nightly is not None:
            done.update(app.nightly(now))
    return dict(done)


def schedule() -> list[str]:
    done: list[str] = []
    for app in registry():
        if app.schedule is not None:
            done.extend(app.schedule())
    return done


def year_filled_since(year: Any, since: datetime) -> bool:
    return any(app.year_filled_since(year, since) for app in registry() if app.year_filled_since is not None)


def trace_created(school: Any, actor: Any, user_ids: list[int]) -> None:
    for app in registry():
        if app.trace_created is not None:
            app.trace_created(school, actor, user_ids)
