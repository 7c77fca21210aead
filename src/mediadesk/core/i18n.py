"""Compile the project's .po catalogues into .mo files with polib (no GNU gettext needed).

Besides the project catalogue (``mediadesk/locale``), each app may keep its own in
``mediadesk/<app>/locale`` (Django reads those too), so work on different apps does not edit
one shared file.
"""

from __future__ import annotations

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"


def compile_catalogues(locale_dir: Path | None = None) -> list[Path]:
    """Compile every ``.po`` (of ``locale_dir``, else of the project and every app) whose
    ``.mo`` is missing or older."""
    if locale_dir is not None:
        catalogues = locale_dir.glob("*/LC_MESSAGES/*.po")
    else:
        catalogues = [
            *LOCALE_DIR.glob("*/LC_MESSAGES/*.po"),
            *PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/*.po"),
        ]
    written = []
    for po_path in sorted(catalogues):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path}")
