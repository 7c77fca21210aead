"""The NinjaAPI instance: authentication, error shapes and router registration.

Errors always read ``{"code", "message", "fields"}`` with the matching HTTP status; lists
always read ``{"items", "total", "page", "page_size"}`` (see ``mediadesk.core.pagination``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from mediadesk.core.errors import DomainError
from mediadesk.orgs.services import authenticate_token

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <personal API token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(APIKeyCookie):
    """The web session, with Django's CSRF check on unsafe methods (used by htmx pages)."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
    title="mediadesk API",
    version="1",
    description=(
        "企业新媒体运营管理系统 API. Authenticate with `Authorization: Bearer <token>` "
        "(create a personal token under Settings → API tokens or `POST /api/v1/tokens`). "
        'Errors: `{"code", "message", "fields"}`; lists: `{"items", "total", "page", "page_size"}`.'
    ),
    auth=[BearerToken(), SessionCookie()],
    urls_namespace="api",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.http_status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        loc = [
            str(p) for p in error.get("loc", []) if p not in ("body", "payload", "query", "path")
        ]
        fields[".".join(loc) or "body"] = error.get("msg", "invalid")
    summary = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return error_response(request, 422, "validation_error", f"Invalid input — {summary}", fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "not_authenticated", "Log in or send Authorization: Bearer <token>."
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(request, 500, "server_error", "Unexpected server error; it was logged.")


def _register_routers() -> None:
    from mediadesk.accounts.api import router as accounts_router
    from mediadesk.audit.api import router as audit_router
    from mediadesk.compliance.api import router as compliance_router
    from mediadesk.content.api import router as content_router
    from mediadesk.notifications.api import router as notifications_router
    from mediadesk.orgs.api import router as orgs_router
    from mediadesk.platforms.api import router as platforms_router
    from mediadesk.publishing.api import router as publishing_router
    from mediadesk.publishing.planning_api import router as planning_router

    api.add_router("/", orgs_router)
    api.add_router("/audit", audit_router)
    api.add_router("/", accounts_router)
    api.add_router("/", compliance_router)
    api.add_router("/", platforms_router)
    api.add_router("/", content_router)
    api.add_router("/", notifications_router)
    api.add_router("/planning", planning_router)
    api.add_router("/", publishing_router)


_register_routers()
