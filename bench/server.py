"""granian serving Cartable on 127.0.0.1 for the benchmark, always stopped at the end."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BLOCKING_THREADS = 2  # per worker, as in production


@contextmanager
def granian(env: dict[str, str], host: str, port: int, workers: int = 2):
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "cartable.wsgi:application",
        "--workers",
        str(workers),
        # The production command (README): a few threads per worker, not granian's default of hundreds
        # fighting over the GIL, which cost a third of the home page's throughput and doubled its p95.
        "--blocking-threads",
        str(BLOCKING_THREADS),
        "--host",
        host,
        "--port",
        str(port),
    ]
    log_file = open(ROOT / "var" / "bench-granian.log", "w")  # noqa: SIM115 - closed in finally
    # Its own process group: stopping it also stops its workers.
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://{host}:{port}/healthz", process)
        yield process
    finally:
        stop(process)
        log_file.close()


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"granian stopped at start (see var/bench-granian.log), code {process.returncode}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"granian did not answer {url} within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
