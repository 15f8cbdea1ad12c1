"""The BigBlueButton API client against a real HTTP server on 127.0.0.1 that checks every checksum as the
server does (bbb_server.py): create, join, isMeetingRunning, getMeetingInfo, end; and the settings that
point at a server, which stop the start on a bad value."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cartable.visio import bbb
from cartable.visio.tests.helpers import follow_to_server

ROOT = Path(__file__).resolve().parents[3]


def test_the_checksum_is_the_one_of_the_api_documentation():
    # The example of BigBlueButton's API documentation ("API Security Model").
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    secret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
    assert bbb.checksum("create", query, secret, "sha1") == "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    assert (
        bbb.checksum("create", query, secret, "sha256")
        == hashlib.sha256(f"create{query}{secret}".encode()).hexdigest()
    )


def meeting(**changes) -> bbb.Meeting:
    fields = {
        "meeting_id": "cartable-test",
        "name": "Révisions — 6A & co",
        "moderator_password": "mod-pw",
        "attendee_password": "att-pw",
    }
    return bbb.Meeting(**{**fields, **changes})


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_every_call_passes_the_servers_checksum(bbb_server, settings, algorithm):
    settings.BBB_CHECKSUM = algorithm
    assert bbb_client_round_trip(bbb_server)
    assert all(call.checksum_ok for call in bbb_server.calls)
    assert [call.name for call in bbb_server.calls] == [
        "getMeetingInfo", "isMeetingRunning", "create", "create", "join", "isMeetingRunning", "join",
        "getMeetingInfo", "end", "isMeetingRunning", "end",
    ]  # fmt: skip


def bbb_client_round_trip(server) -> bool:
    m = meeting(recording_allowed=True)
    assert bbb.meeting_info(m.meeting_id) is None
    assert bbb.is_meeting_running(m.meeting_id) is False
    bbb.create(m)
    bbb.create(m)  # again: the server keeps the meeting (duplicateWarning)
    created = server.calls[-1].params
    assert created["name"] == "Révisions — 6A & co" and created["record"] == "true"
    assert follow_to_server(bbb.join_url(m, "Tom Leroy", moderator=True)) == 302
    assert bbb.is_meeting_running(m.meeting_id) is True
    assert follow_to_server(bbb.join_url(m, "Alice Martin", moderator=False)) == 302
    assert server.meetings[m.meeting_id].attendees == [("Tom Leroy", "MODERATOR"), ("Alice Martin", "VIEWER")]
    info = bbb.meeting_info(m.meeting_id)
    assert info is not None and info.running and info.participants == 2 and info.moderators == 1
    assert bbb.end(m.meeting_id, m.moderator_password) is True
    assert bbb.is_meeting_running(m.meeting_id) is False
    assert bbb.end(m.meeting_id, m.moderator_password) is False  # nothing left to end
    return True


def test_a_wrong_secret_is_refused_by_the_server(bbb_server, settings):
    settings.BBB_SECRET = "not-the-servers-secret-at-all"
    with pytest.raises(bbb.Failed) as refused:
        bbb.create(meeting())
    assert refused.value.key == "checksumError"
    assert bbb_server.meetings == {}


def test_a_server_that_does_not_answer_is_unavailable(settings):
    settings.BBB_URL = "http://127.0.0.1:9/bigbluebutton"  # the discard port: nobody listens
    settings.BBB_SECRET = "8cd8ef52e8e101574e400365b55e11a6"
    with pytest.raises(bbb.Unavailable):
        bbb.is_meeting_running("cartable-test")


def test_without_settings_nothing_is_called(settings):
    settings.BBB_URL = ""
    settings.BBB_SECRET = ""
    assert not bbb.configured()
    with pytest.raises(bbb.Unavailable):
        bbb.create(meeting())


def test_the_api_address_is_taken_as_bbb_conf_prints_it(settings):
    for given in ("https://bbb.example.org/bigbluebutton", "https://bbb.example.org/bigbluebutton/api"):
        settings.BBB_URL = given
        assert bbb.api_base() == "https://bbb.example.org/bigbluebutton/api/"
    assert bbb.origin() == "https://bbb.example.org"


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BBB_") and k != "PYTEST_VERSION"}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cartable.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"BBB_URL": "ftp://bbb.example.org/bigbluebutton"},
            "BBB_URL must be an http:// or https:// address",
        ),
        (
            {"BBB_URL": "https://bbb.example.org/bigbluebutton"},
            "BBB_SECRET must be the server's shared secret",
        ),
        ({"BBB_URL": "https://bbb.example.org/b", "BBB_SECRET": "short"}, "at least 16 characters"),
        ({"BBB_SECRET": "8cd8ef52e8e101574e400365b55e11a6"}, "BBB_SECRET is set but BBB_URL is not"),
        ({"BBB_CHECKSUM": "md5"}, "BBB_CHECKSUM must be one of sha1, sha256, sha384, sha512"),
        ({"BBB_OPEN_MINUTES_BEFORE": "10min"}, "BBB_OPEN_MINUTES_BEFORE must be a whole number"),
    ],
)
def test_bad_settings_stop_the_start_naming_the_variable(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_settings_start():
    result = start(
        BBB_URL="https://bbb.example.org/bigbluebutton/", BBB_SECRET="8cd8ef52e8e101574e400365b55e11a6"
    )
    assert result.returncode == 0, result.stderr
