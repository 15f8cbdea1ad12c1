"""Who must use a second factor (rule C6), and the per-school setting."""

import pytest

from cartable.accounts.mfa import mfa_required_for

pytestmark = pytest.mark.django_db


def test_staff_and_admins_of_a_requiring_school_need_it_families_never(world):
    for name in ("tom", "tess", "vera", "paul", "ada", "xavier", "bruno", "root"):
        assert mfa_required_for(world.users[name]), name
    for name in ("alice", "bob", "marie", "marc", "zoe", "zack"):
        assert not mfa_required_for(world.users[name]), name


def test_a_school_may_relax_it_for_its_staff_and_admin_but_not_for_the_platform_admin(world):
    world.school_a.mfa_required_for_staff = False
    world.school_a.save()
    for name in ("tom", "tess", "vera", "paul", "ada"):
        assert not mfa_required_for(world.users[name]), name
    assert mfa_required_for(world.users["xavier"]) and mfa_required_for(world.users["bruno"])
    assert mfa_required_for(world.users["root"])


def test_relaxed_school_admin_gives_the_second_factor_for_the_console_only(world, client):
    world.school_a.mfa_required_for_staff = False
    world.school_a.save()
    world.login(client, "ada", verified=False)
    response = client.get(f"/admin-ecole/{world.school_a.uai}/personnes")
    assert response.status_code == 302
    assert response["Location"] == f"/auth/mfa?next=%2Fadmin-ecole%2F{world.school_a.uai}%2Fpersonnes"
    assert client.get("/").status_code == 200
    world.login(client, "ada")
    assert client.get(f"/admin-ecole/{world.school_a.uai}/personnes").status_code == 200
    world.login(client, "bruno", verified=False)
    response = client.get(f"/admin-ecole/{world.school_b.uai}/personnes")
    assert response.status_code == 302 and response["Location"].startswith("/auth/mfa")


def test_turning_the_setting_on_applies_at_the_next_request(world, client):
    """The setting is read from a cache: the console's action renews it."""
    from cartable.console import actions as console

    console.set_mfa_required_for_staff(world.ada, world.school_a, False)
    world.login(client, "tom", verified=False)
    assert client.get("/notifications/").status_code == 200
    console.set_mfa_required_for_staff(world.ada, world.school_a, True)
    assert client.get("/notifications/")["Location"].startswith("/auth/mfa")
