"""HTTP load: wrk when it is installed (installed here when we are root), else a small asyncio client."""

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

LUA = Path(__file__).resolve().parent / "latency.lua"


@dataclass
class LoadResult:
    tool: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # answers other than 2xx/3xx
    socket_errors: int = 0  # connect/read/write errors and requests without an answer within 2 s


def find_wrk() -> str | None:
    wrk = shutil.which("wrk")
    if wrk is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("[bench] installing wrk (Debian package)", file=sys.stderr, flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, timeout=300, check=False
        )
        wrk = shutil.which("wrk")
    return wrk


def measure(url: str, *, connections: int, seconds: int, cookie: str = "", warm_up: int = 2) -> LoadResult:
    """Requests/s and latency of GET `url`, after a short unmeasured run that lets every server thread
    open its database connection and load its code (the first seconds would otherwise time out)."""
    if warm_up:
        measure(url, connections=connections, seconds=warm_up, cookie=cookie, warm_up=0)
    wrk = find_wrk()
    if wrk:
        return run_wrk(wrk, url, connections=connections, seconds=seconds, cookie=cookie)
    return asyncio.run(run_python(url, connections=connections, seconds=seconds, cookie=cookie))


def run_wrk(wrk: str, url: str, *, connections: int, seconds: int, cookie: str) -> LoadResult:
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(LUA)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> LoadResult:
    def number(pattern: str, default: float = 0.0) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    latency = dict(re.findall(r"(p\d+)=(\d+)", output))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return LoadResult(
        tool="wrk",
        requests=int(number(r"(\d+) requests in")),
        rps=number(r"Requests/sec:\s+([\d.]+)"),
        p50_ms=int(latency.get("p50", 0)) / 1000,
        p95_ms=int(latency.get("p95", 0)) / 1000,
        p99_ms=int(latency.get("p99", 0)) / 1000,
        errors=int(number(r"Non-2xx or 3xx responses: (\d+)")),
        socket_errors=socket_errors,
    )


async def run_python(url: str, *, connections: int, seconds: int, cookie: str) -> LoadResult:
    """The fallback: `connections` keep-alive clients in one event loop (slower than wrk, same figures)."""
    latencies: list[float] = []
    errors = 0
    headers = {"Cookie": cookie} if cookie else {}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    deadline = time.monotonic() + seconds

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                response = await client.get(url, headers=headers)
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.monotonic() - started)

    started = time.monotonic()
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(connections)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    return LoadResult(
        tool="python",
        requests=len(latencies),
        rps=len(latencies) / elapsed,
        p50_ms=percentile(0.50),
        p95_ms=percentile(0.95),
        p99_ms=percentile(0.99),
        errors=errors,
    )
