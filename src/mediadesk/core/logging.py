"""A logging filter that masks secrets that slip into a message (tokens in URLs, bearer headers)."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    re.compile(r"(?i)(access_token|refresh_token|secret|appsecret|password|token)=([^&\s\"']+)"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._\-]+)"),
    re.compile(r"(mdk_)[A-Za-z0-9_\-]{8,}"),
]


def redact(text: str) -> str:
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}=***", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}***", text)
    return _PATTERNS[2].sub(lambda m: f"{m.group(1)}***", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
