"""`python -m bench.sso`: the single sign-on's figures at 8 a.m., one JSON line each (bench.run.figure).

Every pupil opens Pronote or Moodle through the ENT at once: each opening is a CAS service ticket validated
by the application's server, or an OpenID Connect authorization code exchanged for its tokens. Measured on
granian (2 workers, as bench.run), by the same HTTP client and concurrency as the /healthz floor of the same
run, so that the ratio compares like with like:

1. /healthz requests/s (the floor);
2. CAS service ticket validations/s (/cas/p3/serviceValidate, each ticket new: one GET+DEL in Redis, the
   person's attributes) — ratio to the floor >= 0.5;
3. OpenID Connect token exchanges/s (/oidc/token/: client secret, PKCE S256, code spent, access, refresh and
   ID tokens written, the RS256 signature, the claims) — ratio to the floor >= 0.5.

Tickets and codes are made beforehand by the bench process itself (in Redis and in the database), so that
only the validation or the exchange is measured. Environment: BENCH_SSO_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cartable_bench_sso), BENCH_SSO_REDIS_URL (redis://127.0.0.1:6379/12),
BENCH_SECONDS (10). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx

from bench import dataset, server
from bench.dataset import log
from bench.run import HOST, figure, settings_env

PORT = 8766
CONNECTIONS = 16
TARGET = 0.5
SERVICE = "https://pronote.bench.cartable.test/"
REDIRECT = "https://moodle.bench.cartable.test/auth/oidc/"
VERIFIER = "bench-verifier-" + "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Rate:
    rps: float
    done: int
    errors: int
    p95_ms: float


async def _load(requests: list[Callable[[httpx.AsyncClient], object]], ok, seconds: float) -> Rate:
    """Send the prepared requests (each used once), CONNECTIONS at a time, till none is left or time is up."""
    latencies: list[float] = []
    errors = 0
    queue = iter(requests)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for make in queue:
            if time.monotonic() > deadline:
                return
            started = time.monotonic()
            try:
                response = await make(client)  # type: ignore[misc]
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.monotonic() - started)
            if not ok(response):
                errors += 1

    started = time.monotonic()
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
    elapsed = time.monotonic() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0.0
    return Rate(len(latencies) / elapsed, len(latencies), errors, p95)


def load(requests, ok, seconds: float) -> Rate:
    return asyncio.run(_load(requests, ok, seconds))


def prepare_apps():
    """A CAS and an OpenID Connect application, enabled for the pupils of every school; one pupil."""
    from cartable.directory.models import Membership, Profile, School
    from cartable.sso import actions
    from cartable.sso.models import ConnectedApp

    ConnectedApp.objects.filter(name__startswith="Bench ").delete()
    cas = actions.register_app(
        None,
        name="Bench Pronote",
        protocol="cas",
        service_urls=[SERVICE],
        attribute_names=["uid", "ENTPersonProfils", "ENTPersonStructRattach", "ENTEleveClasses"],
    )
    oidc = actions.register_app(
        None,
        name="Bench Moodle",
        protocol="oidc",
        service_urls=[REDIRECT],
        attribute_names=["givenName", "sn", "displayName", "ENTPersonStructRattach", "classes"],
    )
    for school in School.objects.all():
        actions.set_school_profiles(None, school, cas, [Profile.STUDENT])
        actions.set_school_profiles(None, school, oidc, [Profile.STUDENT])
    client_id, secret = actions.new_client_secret(None, oidc)
    pupil = Membership.objects.filter(profile=Profile.STUDENT).select_related("person__user").first()
    assert pupil is not None and pupil.person.user is not None
    return cas, oidc, client_id, secret, pupil.person.user


def cas_tickets(app, user, count: int) -> list[str]:
    from cartable.sso import tickets

    return [
        tickets.issue(
            tickets.Ticket(
                kind=tickets.SERVICE,
                user_id=user.pk,
                app_id=app.pk,
                service=SERVICE,
                issued_at=time.time(),
                session_generation=user.session_generation,
            )
        )
        for _ in range(count)
    ]


def oidc_codes(app, user, count: int) -> list[str]:
    from django.utils import timezone
    from oauth2_provider.models import Grant

    application = app.oidc_client.application
    codes = [secrets.token_urlsafe(30) for _ in range(count)]
    expires = timezone.now() + timedelta(minutes=15)
    Grant.objects.bulk_create(
        [
            Grant(
                user=user,
                application=application,
                code=code,
                expires=expires,
                redirect_uri=REDIRECT,
                scope="openid profile school",
                nonce="bench",
                code_challenge=CHALLENGE,
                code_challenge_method="S256",
            )
            for code in codes
        ],
        batch_size=1000,
    )
    return codes


def against_floor(name: str, unit: str, counted: str, floor_rps: float, rate: Rate) -> None:
    """One figure: a rate as a ratio to the /healthz floor measured in the same run."""
    ratio = rate.rps / floor_rps if floor_rps else 0
    figure(
        name,
        rate.rps,
        unit,
        baseline=("sso_healthz_rps", floor_rps),
        target=f"ratio >= {TARGET}",
        ok=ratio >= TARGET and rate.errors == 0,
        errors=rate.errors,
        p95_ms=rate.p95_ms,
        **{counted: rate.done},
    )


def main() -> int:
    started = time.monotonic()
    database_url = os.environ.get(
        "BENCH_SSO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cartable_bench_sso"
    )
    redis_url = os.environ.get("BENCH_SSO_REDIS_URL", "redis://127.0.0.1:6379/12")
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    env = settings_env(database_url, redis_url) | {
        "CACHE_KEY_PREFIX": "cartable-bench-sso",
        # Tickets and codes are made before the run: they must outlive it.
        "CAS_SERVICE_TICKET_SECONDS": "600",
    }
    seeded = dataset.prepare_database(database_url, 2, 10)
    dataset.setup_django(env)
    dataset.migrate_and_seed(database_url, 2, 10, seeded)
    from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

    for model in (RefreshToken, AccessToken, IDToken, Grant):
        model.objects.all().delete()
    cas, oidc, client_id, secret, pupil = prepare_apps()
    enough = seconds * 1500
    tickets = cas_tickets(cas, pupil, enough)
    codes = oidc_codes(oidc, pupil, seconds * 600)
    log(f"{len(tickets)} CAS tickets, {len(codes)} codes ready for {pupil.username}")
    from django.db import connections

    connections.close_all()

    base = f"http://{HOST}:{PORT}"
    auth = httpx.BasicAuth(client_id, secret)

    def healthz(client):
        return client.get(f"{base}/healthz")

    def validate(ticket: str):
        return lambda client: client.get(
            f"{base}/cas/p3/serviceValidate", params={"service": SERVICE, "ticket": ticket}
        )

    def exchange(code: str):
        return lambda client: client.post(
            f"{base}/oidc/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": VERIFIER,
            },
            auth=auth,
        )

    with server.granian(env, HOST, PORT, workers=2):
        # Warm-up: every worker thread opens its connections and loads its code.
        load([healthz] * 400, lambda r: r.status_code == 200, 3)
        load([validate(t) for t in tickets[:200]], lambda r: True, 3)
        load([exchange(c) for c in codes[:100]], lambda r: True, 3)
        floor = load([healthz] * (seconds * 5000), lambda r: r.status_code == 200, seconds)
        figure(
            "sso_healthz_rps",
            floor.rps,
            "req/s",
            target="floor",
            ok=floor.errors == 0,
            p95_ms=floor.p95_ms,
            connections=CONNECTIONS,
            tool="httpx",
        )
        against_floor(
            "cas_service_validate_rps",
            "validation/s",
            "validations",
            floor.rps,
            load(
                [validate(t) for t in tickets[200:]],
                lambda r: r.status_code == 200 and b"authenticationSuccess" in r.content,
                seconds,
            ),
        )
        against_floor(
            "oidc_token_exchange_rps",
            "exchange/s",
            "exchanges",
            floor.rps,
            load(
                [exchange(c) for c in codes[100:]],
                lambda r: r.status_code == 200 and b"id_token" in r.content,
                seconds,
            ),
        )
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
