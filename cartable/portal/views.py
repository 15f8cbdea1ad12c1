import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness for the load balancer: 200 when the database answers, 503 otherwise."""
    status = {"database": "ok", "cache": "ok"}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        status["database"] = "down"
    try:
        cache.set("healthz", "1", timeout=5)
        if cache.get("healthz") != "1":
            status["cache"] = "down"
    except Exception:
        status["cache"] = "down"
    status["ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)
