"""Settings from the environment fail loudly: a value that cannot be read names its variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cartable.lib.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_of_day,
    env_time_zone,
    env_url,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " true "])
def test_true_words(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_FLAG", value)
    assert env_bool("CARTABLE_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "OFF"])
def test_false_words(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_FLAG", value)
    assert env_bool("CARTABLE_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", ["maybe", "flase", "2", "vrai", "-"])
def test_a_bool_that_is_neither_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_bool("CARTABLE_TEST_FLAG", False)
    assert str(raised.value) == f"CARTABLE_TEST_FLAG must be true or false, got {value!r}"


def test_unset_or_empty_takes_the_default(monkeypatch):
    monkeypatch.delenv("CARTABLE_TEST_FLAG", raising=False)
    assert env_bool("CARTABLE_TEST_FLAG", True) is True
    assert env_int("CARTABLE_TEST_FLAG", 7) == 7
    monkeypatch.setenv("CARTABLE_TEST_FLAG", "  ")
    assert env_bool("CARTABLE_TEST_FLAG", True) is True
    assert env_int("CARTABLE_TEST_FLAG", 7) == 7
    assert env_list("CARTABLE_TEST_FLAG", ["a"]) == ["a"]
    assert env_str("CARTABLE_TEST_FLAG", "sqlite:///var/db") == "sqlite:///var/db"  # DATABASE_URL= in a .env
    assert env_time_of_day("CARTABLE_TEST_FLAG", "07:30") == "07:30"
    assert env_time_zone("CARTABLE_TEST_FLAG", "Europe/Paris") == "Europe/Paris"


@pytest.mark.parametrize(("value", "number"), [("0", 0), ("42", 42), (" 3600 ", 3600), ("-1", -1)])
def test_whole_numbers(monkeypatch, value, number):
    monkeypatch.setenv("CARTABLE_TEST_NUMBER", value)
    assert env_int("CARTABLE_TEST_NUMBER", 1) == number


@pytest.mark.parametrize("value", ["30m", "1.5", "1e3", "1_000", "١٠", "ten", "0x10"])  # noqa: RUF001 (digits of other scripts, refused on purpose)
def test_a_number_that_is_not_one_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_int("CARTABLE_TEST_NUMBER", 1)
    assert str(raised.value) == f"CARTABLE_TEST_NUMBER must be a whole number, got {value!r}"


def test_strings_and_lists(monkeypatch):
    monkeypatch.setenv("CARTABLE_TEST_TEXT", "a.example, b.example,,")
    assert env_str("CARTABLE_TEST_TEXT") == "a.example, b.example,,"
    assert env_list("CARTABLE_TEST_TEXT", []) == ["a.example", "b.example"]


@pytest.mark.parametrize("value", ["7:30", "24:00", "07h30", "07:60", "noon"])
def test_a_time_of_day_that_is_not_one_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_TIME", value)
    with pytest.raises(
        ImproperlyConfigured, match=r"^CARTABLE_TEST_TIME must be a time of day written HH:MM"
    ):
        env_time_of_day("CARTABLE_TEST_TIME", "07:30")
    monkeypatch.setenv("CARTABLE_TEST_TIME", "18:05")
    assert env_time_of_day("CARTABLE_TEST_TIME", "07:30") == "18:05"


@pytest.mark.parametrize("value", ["Europe/Pariss", "Paris", "../etc/passwd"])
def test_an_unknown_time_zone_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_ZONE", value)
    with pytest.raises(ImproperlyConfigured, match=r"^CARTABLE_TEST_ZONE must be a time zone name"):
        env_time_zone("CARTABLE_TEST_ZONE", "Europe/Paris")
    monkeypatch.setenv("CARTABLE_TEST_ZONE", "America/Cayenne")
    assert env_time_zone("CARTABLE_TEST_ZONE", "Europe/Paris") == "America/Cayenne"


def test_settings_stop_at_start_on_a_bad_value():
    """The settings module itself reads through these helpers: a typo stops every process at once."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env |= {"DEBUG": "maybe", "SESSION_IDLE_TIMEOUT": "30m"}
    result = subprocess.run(
        [sys.executable, "-c", "import cartable.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be true or false, got 'maybe'" in result.stderr


def test_notification_zone_and_dpo_contact_come_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env |= {"NOTIFICATIONS_TIME_ZONE": "Indian/Reunion", "DPO_CONTACT": "dpo@academie.example"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cartable import settings; print(settings.NOTIFICATIONS_TIME_ZONE, settings.DPO_CONTACT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["Indian/Reunion", "dpo@academie.example"], result.stderr


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("https://bbb.example.org/bigbluebutton/", "https://bbb.example.org/bigbluebutton"),
        (" http://127.0.0.1:8090/b ", "http://127.0.0.1:8090/b"),
    ],
)
def test_an_address_is_read_without_its_final_slash(monkeypatch, value, read):
    monkeypatch.setenv("CARTABLE_TEST_URL", value)
    assert env_url("CARTABLE_TEST_URL") == read


@pytest.mark.parametrize(
    "value",
    ["bbb.example.org", "ftp://bbb.example.org/", "https://", "https://x.org/?a=1", "https://x.org/#b"],
)
def test_an_address_that_is_not_http_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("CARTABLE_TEST_URL", value)
    with pytest.raises(
        ImproperlyConfigured, match="CARTABLE_TEST_URL must be an http:// or https:// address"
    ):
        env_url("CARTABLE_TEST_URL")


def test_a_choice_is_one_of_its_words(monkeypatch):
    monkeypatch.setenv("CARTABLE_TEST_CHOICE", " SHA1 ")
    assert env_choice("CARTABLE_TEST_CHOICE", "sha256", ("sha1", "sha256")) == "sha1"
    monkeypatch.setenv("CARTABLE_TEST_CHOICE", "md5")
    with pytest.raises(
        ImproperlyConfigured, match="CARTABLE_TEST_CHOICE must be one of sha1, sha256, got 'md5'"
    ):
        env_choice("CARTABLE_TEST_CHOICE", "sha256", ("sha1", "sha256"))
