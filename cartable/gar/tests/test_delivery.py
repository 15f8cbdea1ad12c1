"""Delivering the export to the GAR: a real SFTP server on 127.0.0.1 (asyncssh), a client key and a host key
made for each test; the archive and its .md5 arrive whole; an unknown server or a wrong key gets nothing; the
nightly task is queued only when the delivery is configured."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncssh
import paramiko
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cartable.gar import lifecycle, tasks
from cartable.gar.tests.helpers import assert_valid, files_by_type
from cartable.gar.tests.sftp_server import SftpServer, client_key
from cartable.lib import env

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world):
    return module_world


@pytest.fixture
def gar_server(tmp_path, settings):
    """The GAR's SFTP server, and the settings that reach it."""
    keys = tmp_path / "keys"
    keys.mkdir()
    key_path, public = client_key(keys)
    root = tmp_path / "gar"
    (root / "depot").mkdir(parents=True)
    server = SftpServer(root, public).start()
    known_hosts = keys / "known_hosts"
    known_hosts.write_text(server.known_hosts_line(), encoding="ascii")
    settings.GAR_SFTP_HOST = "127.0.0.1"
    settings.GAR_SFTP_PORT = server.port
    settings.GAR_SFTP_USER = "cartable"
    settings.GAR_SFTP_KEY = str(key_path)
    settings.GAR_SFTP_KNOWN_HOSTS = str(known_hosts)
    settings.GAR_SFTP_REMOTE_DIR = "depot"
    yield root / "depot"
    server.stop()


def _delivered(depot: Path) -> tuple[Path, str]:
    archives = sorted(depot.glob("*.tar.gz"))
    assert len(archives) == 1, sorted(p.name for p in depot.iterdir())
    assert not list(depot.glob("*.part"))
    md5 = (depot / f"{archives[0].name}.md5").read_text(encoding="ascii")
    return archives[0], md5


def test_the_nightly_task_delivers_the_archive_and_its_md5(
    world, gar_server, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.deliver_gar_export.call()
    archive, md5 = _delivered(gar_server)
    assert sent == [f"depot/{archive.name}", f"depot/{archive.name}.md5"]
    assert archive.name.startswith("ENT_CARTABLE_Complet_")
    assert md5 == f"{hashlib.md5(archive.read_bytes()).hexdigest()}  {archive.name}\n"
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    files = files_by_type(sorted(unpacked.iterdir()))
    assert set(files) == {"Etab", "Eleve", "Enseignant", "Groupe", "RespAff"}
    for path in files.values():
        assert_valid(path, "GAR-ENT.xsd")
    # The run queued the next one, for the next night.
    queued = DBTaskResult.objects.get(task_path=tasks.deliver_gar_export.module_path, status="READY")
    assert queued.run_after is not None


def test_a_server_down_tonight_fails_the_run_and_keeps_tomorrow_s(
    world, gar_server, settings, django_capture_on_commit_callbacks
):
    settings.GAR_SFTP_PORT = 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        tasks.deliver_gar_export.call()
    assert DBTaskResult.objects.filter(
        task_path=tasks.deliver_gar_export.module_path, status="READY"
    ).exists()
    assert list(gar_server.iterdir()) == []


def test_the_command_sends_with_send(world, gar_server, tmp_path):
    call_command("export_gar", str(tmp_path / "out"), "--school", world.school_b.uai, "--send")
    archive, md5 = _delivered(gar_server)
    assert archive.read_bytes() == (tmp_path / "out" / archive.name).read_bytes()
    assert md5.split()[0] == hashlib.md5(archive.read_bytes()).hexdigest()


def test_a_server_whose_host_key_is_unknown_gets_nothing(world, gar_server, settings, tmp_path):
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode()
    Path(settings.GAR_SFTP_KNOWN_HOSTS).write_text(f"[127.0.0.1]:{settings.GAR_SFTP_PORT} {other}", "ascii")
    with pytest.raises(paramiko.SSHException):
        tasks.run_delivery(timezone.now())
    assert list(gar_server.iterdir()) == []


def test_a_key_the_server_does_not_know_is_refused(world, gar_server, settings, tmp_path):
    stranger, _public = client_key(tmp_path, "stranger")
    settings.GAR_SFTP_KEY = str(stranger)
    with pytest.raises(paramiko.AuthenticationException):
        tasks.run_delivery(timezone.now())
    assert list(gar_server.iterdir()) == []


def test_the_export_is_scheduled_only_when_the_delivery_is_configured(
    db, settings, django_capture_on_commit_callbacks
):
    settings.GAR_SFTP_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.schedule() == ["export GAR non configuré (GAR_SFTP_HOST vide) : rien à programmer"]
    assert not DBTaskResult.objects.filter(task_path=tasks.deliver_gar_export.module_path).exists()
    settings.GAR_SFTP_HOST = "sftp.gar.example"
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.schedule() == ["export GAR programmé"]
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.schedule() == ["export GAR déjà programmé"]
    task = DBTaskResult.objects.get(task_path=tasks.deliver_gar_export.module_path)
    local = task.run_after.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert (local.hour, local.minute) == (2, 0)


# --- Settings fail loudly ----------------------------------------------------------------------------------


def test_bad_sftp_values_stop_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("GAR_SFTP_PORT", "70000")
    with pytest.raises(ImproperlyConfigured, match="GAR_SFTP_PORT must be a port number"):
        env.env_port("GAR_SFTP_PORT", 22)
    monkeypatch.setenv("GAR_SFTP_PORT", "22a")
    with pytest.raises(ImproperlyConfigured, match="GAR_SFTP_PORT must be a whole number"):
        env.env_port("GAR_SFTP_PORT", 22)
    monkeypatch.setenv("GAR_SFTP_KEY", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="GAR_SFTP_KEY must name a readable file"):
        env.env_file("GAR_SFTP_KEY")
    monkeypatch.setenv("GAR_SOURCE", "ENT Paris")
    with pytest.raises(ImproperlyConfigured, match="GAR_SOURCE must be"):
        env.env_matching("GAR_SOURCE", "CARTABLE", r"[A-Za-z0-9-]{1,32}", "letters")


def test_a_host_without_its_user_and_key_stops_every_process():
    environ = {**os.environ, "GAR_SFTP_HOST": "sftp.gar.example", "GAR_SFTP_USER": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "GAR_SFTP_USER, GAR_SFTP_KEY and GAR_SFTP_KNOWN_HOSTS must be set too" in result.stderr
