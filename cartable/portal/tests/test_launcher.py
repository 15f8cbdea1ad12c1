"""The launcher's per-process memo of allowed apps answers like a fresh computation."""

from cartable.access.policy import Viewer
from cartable.portal.launcher import allowed_apps, app_allowed
from cartable.portal.registry import PortalApp, Registry


def app(code: str, *profiles: str, order: int = 100) -> PortalApp:
    return PortalApp(
        code=code, name=code, url_name=f"{code}:home", icon="", profiles=frozenset(profiles), order=order
    )


def viewer(**profiles: frozenset[str]) -> Viewer:
    return Viewer(user_id=1, person_id=1, profiles={int(s[1:]): p for s, p in profiles.items()})


def fresh(apps: Registry, who: Viewer, off: set) -> tuple[PortalApp, ...]:
    return tuple(a for a in apps.sorted_apps() if app_allowed(a, who, off))


def test_memo_follows_profiles_switches_and_registered_apps():
    apps = Registry()
    apps.register_app(app("notes", "Relative", order=2))
    apps.register_app(app("cahier", "Student", "Relative", order=1))
    parent = viewer(s1=frozenset({"Relative"}))
    pupil = viewer(s1=frozenset({"Student"}))
    for who in (parent, pupil):
        for off in (set(), {(1, "cahier", "Relative")}, {(1, "cahier", "Student"), (2, "notes", "Relative")}):
            assert allowed_apps(apps, who, off) == fresh(apps, who, off)
            assert allowed_apps(apps, who, off) == fresh(apps, who, off)  # from the memo
    assert [a.code for a in allowed_apps(apps, parent, set())] == ["cahier", "notes"]
    # An app registered (or removed) later is seen at once.
    apps.register_app(app("blog", order=0))
    assert [a.code for a in allowed_apps(apps, parent, set())] == ["blog", "cahier", "notes"]
    apps.apps.pop("notes")
    assert [a.code for a in allowed_apps(apps, parent, set())] == ["blog", "cahier"]
    # Same code registered anew with other profiles: the new app counts.
    apps.register_app(app("cahier", "Student", order=1))
    assert [a.code for a in allowed_apps(apps, parent, set())] == ["blog"]
