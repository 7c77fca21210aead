"""The REST API under ``/api/v1/``; each domain contributes a router from its ``api.py``."""

from mediadesk.api.base import api

__all__ = ["api"]
