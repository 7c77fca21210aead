"""Domain errors raised by services and mapped to HTTP by the API and to messages by the web UI.

Services raise these instead of returning error codes so that views, API handlers, the CLI and
jobs all present the same message for the same problem.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A problem a person can fix; ``message`` says what and ``fields`` names the inputs."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, fields: dict[str, Any] | None = None, code: str = ""):
        super().__init__(message)
        self.message = str(message)
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "validation_error"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401
