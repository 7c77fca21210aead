"""Just enough HTTP for the simulator: a request wrapper, a response and a path router.

A web framework would hide what the simulator must control exactly: raw bodies, odd content
types (WeChat's ``application/json; encoding=utf-8``), HTTP 200 errors and per-platform
envelopes. WSGI plus these few classes keeps every byte in our hands.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


class BodyError(Exception):
    """The request body is missing or not in the format the endpoint needs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "empty" or "format"


@dataclass(frozen=True)
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


class Request:
    """A parsed WSGI request; the body is read once, eagerly, so handlers can re-read it."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path = environ.get("PATH_INFO") or "/"
        # PEP 3333 hands the path over as latin-1; paths here are ASCII in practice.
        self.path: str = raw_path.encode("latin-1").decode("utf-8", "replace")
        self.query_string: str = environ.get("QUERY_STRING", "")
        self.query: dict[str, str] = dict(parse_qsl(self.query_string, keep_blank_values=True))
        self.headers: dict[str, str] = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        self.content_type: str = environ.get("CONTENT_TYPE", "") or ""
        if self.content_type:
            self.headers["content-type"] = self.content_type
        self.remote_addr: str = environ.get("REMOTE_ADDR", "") or "127.0.0.1"
        self.host: str = (self.headers.get("host") or "").split(":")[0].lower()
        self.body: bytes = _read_body(environ)
        self._form: dict[str, str] | None = None
        self._files: dict[str, UploadedFile] | None = None

    # -- bodies ---------------------------------------------------------------------------
    def json(self) -> Any:
        """The JSON body; raises ``BodyError`` for an empty or malformed one."""
        if not self.body.strip():
            raise BodyError("empty")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BodyError("format") from exc

    @property
    def is_multipart(self) -> bool:
        return self.content_type.lower().startswith("multipart/form-data")

    @property
    def form(self) -> dict[str, str]:
        """URL-encoded or multipart text fields."""
        if self._form is None:
            self._parse_form()
        assert self._form is not None
        return self._form

    @property
    def files(self) -> dict[str, UploadedFile]:
        if self._files is None:
            self._parse_form()
        assert self._files is not None
        return self._files

    def param(self, name: str, default: str | None = None) -> str | None:
        """A value from the form body or, failing that, the query string (Weibo takes both)."""
        if name in self.form:
            return self.form[name]
        return self.query.get(name, default)

    def _parse_form(self) -> None:
        self._form, self._files = {}, {}
        ctype = self.content_type.lower()
        if ctype.startswith("application/x-www-form-urlencoded"):
            text = self.body.decode("utf-8", "replace")
            self._form = dict(parse_qsl(text, keep_blank_values=True))
        elif ctype.startswith("multipart/form-data"):
            boundary = _boundary(self.content_type)
            if boundary:
                self._form, self._files = parse_multipart(self.body, boundary)


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.strip().isdigit():
        return stream.read(int(length)) if int(length) else b""
    return stream.read() or b""


def _boundary(content_type: str) -> str | None:
    for piece in content_type.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        if key.lower() == "boundary":
            return value.strip().strip('"')
    return None


def _disposition(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for piece in value.split(";")[1:]:
        key, _, val = piece.strip().partition("=")
        params[key.lower()] = val.strip().strip('"')
    return params


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and files (binary-safe)."""
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n")
        head, _, data = chunk.partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        params = _disposition(headers.get("content-disposition", ""))
        name = params.get("name")
        if not name:
            continue
        if "filename" in params:
            files[name] = UploadedFile(
                field=name,
                filename=params["filename"],
                content_type=headers.get("content-type", "application/octet-stream"),
                data=data,
            )
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    payload: Any = None  # the JSON object behind ``body``, kept for the request log

    def wsgi_headers(self) -> list[tuple[str, str]]:
        return [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            *self.headers,
        ]


STATUS_TEXT = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def status_line(status: int) -> str:
    return f"{status} {STATUS_TEXT.get(status, 'Status')}"


def json_response(
    payload: Any, status: int = 200, content_type: str = "application/json; charset=utf-8"
) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status=status, body=body, content_type=content_type, payload=payload)


def redirect(location: str) -> Response:
    return Response(
        status=302, body=b"", content_type="text/html", headers=[("Location", location)]
    )


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    path: str
    methods: frozenset[str]
    handler: Callable[..., Any]
    meta: dict[str, Any]


class Router:
    """Exact-path routes; a trailing slash is tolerated either way (Douyin paths end in one)."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}

    def add(
        self, path: str, methods: Iterable[str], handler: Callable[..., Any], **meta: Any
    ) -> None:
        self._routes[path.rstrip("/")] = Route(
            path, frozenset(m.upper() for m in methods), handler, meta
        )

    def match(self, path: str) -> Route | None:
        return self._routes.get(path.rstrip("/"))

    def paths(self) -> list[str]:
        return sorted(route.path for route in self._routes.values())
