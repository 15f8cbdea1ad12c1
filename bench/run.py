"""`python -m bench.run` (make bench): Cartable's first figures, one JSON line each on stdout.

1. Home page throughput of a logged-in guardian against the /healthz floor, in the same run
   (granian, 2 workers, 32 connections, on the 100,000-account dataset): ratio >= 0.25, p95 <= 100 ms.
2. Logins per second against the raw Argon2id verify rate of this machine: ratio >= 0.9.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cartable_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/1), BENCH_SCHOOLS (50), BENCH_PUPILS_PER_CLASS (25),
BENCH_SECONDS (10 per load run). Progress goes to stderr; only 127.0.0.1 is ever contacted.
"""

import json
import os
import sys
import time
from pathlib import Path

import httpx

from bench import dataset, load, logins, server
from bench.dataset import log
from cartable.lib.selfsigned import ensure_pair

HOST, PORT = "127.0.0.1", 8765
CONNECTIONS = 32
SECRET_KEY = "cartable-bench-only-not-a-secret"  # the bench server is local and short-lived


def local_signing_key() -> str:
    from cartable.lib.signing_key import LOCAL_KEY_NAME, read_or_make

    var = Path(__file__).resolve().parent.parent / "var"
    read_or_make("", var)
    return str(var / LOCAL_KEY_NAME)


def settings_env(database_url: str, redis_url: str) -> dict[str, str]:
    # The production server refuses to sign SAML assertions with a pair it made itself: the bench gives the
    # local one as a deployment gives its own.
    folder = Path(__file__).resolve().parent.parent / "var" / "saml"
    saml_key, saml_cert = ensure_pair(folder, "idp", "Cartable SAML (development)")
    return {
        "SAML_IDP_KEY": saml_key,
        "SAML_IDP_CERT": saml_cert,
        "DJANGO_SETTINGS_MODULE": "cartable.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "cartable-bench",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        # The web server needs a signing key for the OpenID Connect ID tokens outside DEBUG: this machine's.
        "OIDC_SIGNING_KEY_FILE": local_signing_key(),
    }


def figure(name, value, unit, *, baseline=None, target=None, ok=True, **extra) -> dict:
    """One line of output: value, the baseline it is compared with, the ratio and the target."""
    line = {"name": name, "value": round(value, 2), "unit": unit}
    if baseline is not None:
        base_name, base_value = baseline
        line |= {
            "baseline": base_name,
            "baseline_value": round(base_value, 2),
            "ratio": round(value / base_value, 3) if base_value else None,
        }
    line |= {"target": target, "ok": ok, **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def log_in(base: str, username: str, password: str) -> str:
    """A session cookie for `username`, obtained like a browser does."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/auth/login")
        token = logins.CSRF_FIELD.search(page.text)
        if token is None:
            raise RuntimeError("no CSRF token on /auth/login")
        answer = client.post(
            "/auth/login",
            data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )
        session = client.cookies.get("cartable_session")
        if answer.status_code != 302 or not session:
            raise RuntimeError(f"login of {username} failed: HTTP {answer.status_code}")
        return f"cartable_session={session}"


def home_status(base: str, cookie: str) -> tuple[int, str]:
    answer = httpx.get(f"{base}/", headers={"Cookie": cookie}, follow_redirects=False, timeout=30)
    return answer.status_code, answer.headers.get("location", "")


def bench_pages(base: str, cookie: str, seconds: int) -> None:
    floor = load.measure(f"{base}/healthz", connections=CONNECTIONS, seconds=seconds)
    figure(
        "healthz_rps",
        floor.rps,
        "req/s",
        target="floor",
        ok=floor.errors == 0,
        errors=floor.errors,
        socket_errors=floor.socket_errors,
        p95_ms=floor.p95_ms,
        tool=floor.tool,
    )
    status, location = home_status(base, cookie)
    if status != 200:
        # The home page must answer 200 itself: a redirect (login, charter) would measure the wrong page.
        figure(
            "home_rps",
            0,
            "req/s",
            baseline=("healthz_rps", floor.rps),
            target="ratio >= 0.25",
            ok=False,
            error=f"GET / answered {status} {location}".strip(),
        )
        figure("home_p95_ms", 0, "ms", target="<= 100", ok=False, error="home page not measured")
        return
    home = load.measure(f"{base}/", connections=CONNECTIONS, seconds=seconds, cookie=cookie)
    still_logged_in = home_status(base, cookie)[0] == 200
    ratio = home.rps / floor.rps if floor.rps else 0
    figure(
        "home_rps",
        home.rps,
        "req/s",
        baseline=("healthz_rps", floor.rps),
        target="ratio >= 0.25",
        ok=ratio >= 0.25 and home.errors == 0 and still_logged_in,
        errors=home.errors,
        socket_errors=home.socket_errors,
        tool=home.tool,
        session_valid_after=still_logged_in,
    )
    figure(
        "home_p95_ms",
        home.p95_ms,
        "ms",
        baseline=("healthz_p95_ms", floor.p95_ms),
        target="<= 100",
        ok=home.p95_ms <= 100,
        p50_ms=home.p50_ms,
        p99_ms=home.p99_ms,
    )


def bench_logins(username: str, password: str, encoded: str, seconds: int) -> None:
    cores = os.cpu_count() or 1
    verify_rate = logins.argon2_rate(encoded, password, processes=cores, seconds=max(3, seconds // 2))
    figure("argon2_verify_per_s", verify_rate, "verify/s", target="baseline", ok=True, processes=cores)
    rate, failed = logins.login_rate(
        HOST, PORT, username, password, clients=logins.default_clients(), seconds=seconds
    )
    ratio = rate / verify_rate if verify_rate else 0
    figure(
        "logins_per_s",
        rate,
        "login/s",
        baseline=("argon2_verify_per_s", verify_rate),
        target="ratio >= 0.9",
        ok=ratio >= 0.9 and failed == 0,
        failed=failed,
        clients=logins.default_clients(),
    )


def main() -> int:
    started = time.monotonic()
    database_url = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    schools = int(os.environ.get("BENCH_SCHOOLS", "50"))
    pupils = int(os.environ.get("BENCH_PUPILS_PER_CLASS", "25"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    env = settings_env(database_url, redis_url)

    seeded = dataset.prepare_database(database_url, schools, pupils)
    dataset.setup_django(env)
    dataset.migrate_and_seed(database_url, schools, pupils, seeded)
    from cartable.accounts.models import User
    from cartable.directory.demo import DEMO_PASSWORD

    username = dataset.bench_guardian()
    encoded = User.objects.get(username=username).password
    figure(
        "dataset_accounts",
        dataset.account_count(),
        "accounts",
        target="~100000 at full size",
        ok=True,
        schools=schools,
        pupils_per_class=pupils,
    )
    from django.db import connections

    connections.close_all()  # the server gets the database to itself

    base = f"http://{HOST}:{PORT}"
    with server.granian(env, HOST, PORT, workers=2):
        log(f"granian up; logging {username} in")
        cookie = log_in(base, username, DEMO_PASSWORD)
        bench_pages(base, cookie, seconds)
        bench_logins(username, DEMO_PASSWORD, encoded, seconds)
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
