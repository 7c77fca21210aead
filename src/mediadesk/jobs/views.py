"""``/healthz`` for load balancers and monitoring: no login, no secrets, 200 or 503."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mediadesk.jobs.health import report


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    body = report()
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
