"""Logins per second over HTTP, against the rate at which this machine verifies Argon2 hashes at all.

A login is bound by one Argon2id verification; the web stack around it (CSRF, session, login trace)
should cost little beside it. Both rates are measured in the same run, on the same cores.
"""

import http.client
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import urlencode

from argon2 import PasswordHasher

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def argon2_hasher() -> PasswordHasher:
    """The parameters of Django's Argon2PasswordHasher, so the baseline is the hash Cartable stores."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    django_hasher = Argon2PasswordHasher
    return PasswordHasher(
        time_cost=django_hasher.time_cost,
        memory_cost=django_hasher.memory_cost,
        parallelism=django_hasher.parallelism,
    )


def verify_loop(encoded: str, password: str, seconds: float, params: tuple[int, int, int]) -> float:
    """Verifications per second in this process."""
    hasher = PasswordHasher(time_cost=params[0], memory_cost=params[1], parallelism=params[2])
    count = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        hasher.verify(encoded, password)
        count += 1
    return count / (time.monotonic() - started)


def argon2_rate(django_encoded: str, password: str, *, processes: int, seconds: float) -> float:
    """Verifications per second of the stored hash, `processes` at a time."""
    encoded = django_encoded.removeprefix("argon2")  # Django stores "argon2" + the standard encoding
    hasher = argon2_hasher()
    params = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    hasher.verify(encoded, password)  # fails loudly if the hash is not the password's
    with ProcessPoolExecutor(processes) as pool:
        futures = [pool.submit(verify_loop, encoded, password, seconds, params) for _ in range(processes)]
        return sum(future.result() for future in futures)


def login_once(host: str, port: int, username: str, password: str) -> bool:
    """GET the form (fresh CSRF cookie and token), POST it; True when the answer is the redirect home."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", "/auth/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookies = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
        token = CSRF_FIELD.search(page)
        if response.status != 200 or token is None:
            return False
        body = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(cookies)}
        conn.request("POST", "/auth/login", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        set_cookies = " ".join(h for k, h in response.getheaders() if k.lower() == "set-cookie")
        return response.status == 302 and "cartable_session=" in set_cookies
    finally:
        conn.close()


def login_loop(host: str, port: int, username: str, password: str, seconds: float) -> tuple[float, int]:
    """Successful logins per second in this client, and the number of failed attempts."""
    ok = failed = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if login_once(host, port, username, password):
            ok += 1
        else:
            failed += 1
    return ok / (time.monotonic() - started), failed


def login_rate(host: str, port: int, username: str, password: str, *, clients: int, seconds: float):
    """Successful logins per second with `clients` processes logging in again and again."""
    with ProcessPoolExecutor(clients) as pool:
        futures = [pool.submit(login_loop, host, port, username, password, seconds) for _ in range(clients)]
        results = [future.result() for future in futures]
    return sum(rate for rate, _failed in results), sum(failed for _rate, failed in results)


def default_clients() -> int:
    return 2 * (os.cpu_count() or 1)
