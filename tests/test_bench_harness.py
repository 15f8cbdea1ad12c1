"""The benchmark's parsing and output format (the load itself runs with `make bench`)."""

import json

from bench import server
from bench.load import parse_wrk
from bench.run import figure

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8765/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.12ms   10.01ms 120.00ms   70.00%
    Req/Sec   400.00     50.00   500.00     70.00%
  Latency Distribution
     50%   38.00ms
     75%   45.00ms
     90%   55.00ms
     99%   90.00ms
  8000 requests in 10.01s, 40.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    799.20
Transfer/sec:      4.00MB
BENCH-LATENCY p50=38000 p90=55000 p95=71000 p99=90000
"""


def test_parse_wrk_reads_rate_percentiles_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 8000
    assert result.rps == 799.2
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (38.0, 71.0, 90.0)
    assert (result.errors, result.socket_errors) == (4, 3)


def test_figure_prints_one_json_line_with_baseline_ratio_and_target(capsys):
    figure("home_rps", 250.0, "req/s", baseline=("healthz_rps", 1000.0), target="ratio >= 0.25", ok=True)
    line = json.loads(capsys.readouterr().out)
    assert line == {
        "name": "home_rps",
        "value": 250.0,
        "unit": "req/s",
        "baseline": "healthz_rps",
        "baseline_value": 1000.0,
        "ratio": 0.25,
        "target": "ratio >= 0.25",
        "ok": True,
    }


def test_bench_serves_with_the_documented_production_command():
    """The bench measures what production runs: the README's granian command and the bench's agree."""
    readme = (server.ROOT / "README.md").read_text()
    production = next(line for line in readme.splitlines() if line.startswith("In production run `granian"))
    assert "--interface wsgi cartable.wsgi:application" in production
    assert f"--blocking-threads {server.BLOCKING_THREADS}" in production
