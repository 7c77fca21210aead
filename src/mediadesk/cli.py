"""The ``mediadesk`` console script.

``mediadesk check`` and ``mediadesk simulator`` are handled here without touching the
database (they must work on a fresh clone); every other word is a Django management
command (``mediadesk run``, ``mediadesk migrate`` …). Django's own system check stays
reachable as ``mediadesk manage check``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

STANDALONE: dict[str, str] = {
    "check": "mediadesk.compliance.cli:main",
    "simulator": "mediadesk.platforms.simulator.cli:main",
}


def _load(target: str) -> Callable[[list[str]], int]:
    module_name, func_name = target.split(":")
    module = __import__(module_name, fromlist=[func_name])
    return getattr(module, func_name)


def _compile_translations() -> None:
    """Compile the .po catalogues before Django loads (and caches) the translations."""
    from mediadesk.core.i18n import compile_catalogues

    try:
        compile_catalogues()
    except OSError:  # a read-only installation ships its .mo files already compiled
        pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in STANDALONE:
        return int(_load(STANDALONE[argv[0]])(argv[1:]) or 0)
    if argv and argv[0] == "manage":
        argv = argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")
    _compile_translations()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mediadesk", *argv])
    return 0
