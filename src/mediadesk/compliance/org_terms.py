"""Per-unit terms for ``mediadesk check --org UNIT``.

The engine needs no database; a unit's own terms and allow-list live in the database (edited in
the UI/API, audited, inherited by the units below). Only ``--org`` sets Django up, so the plain
CLI keeps working on a fresh clone.
"""

from __future__ import annotations

import os
from pathlib import Path

from mediadesk.compliance.lexicon import Lexicon


class OrgTermsUnavailable(RuntimeError):
    """The unit's terms cannot be loaded (no database, unknown or ambiguous unit)."""


def database_configured() -> bool:
    """True when a database is configured: ``DATABASE_URL``, or the embedded SQLite file.

    Mirrors ``mediadesk.settings`` without importing Django or creating the data directory.
    """
    if os.environ.get("DATABASE_URL"):
        return True
    data_dir = Path(os.environ.get("MEDIADESK_DATA_DIR", "var")).expanduser()
    return (data_dir / "mediadesk.sqlite3").is_file()


def lexicon_for_org(unit: str) -> Lexicon:
    """The built-in lexicon plus the terms and allow-list of ``unit`` (a name or an id) and of
    the units above it."""
    if not database_configured():
        raise OrgTermsUnavailable(
            f"--org {unit}: no database is configured (set DATABASE_URL, or run "
            "`mediadesk migrate` to create the embedded one); without --org the built-in "
            "lexicon is used"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")
    import django

    django.setup()
    from django.db import DatabaseError

    from mediadesk.compliance.services import effective_lexicon
    from mediadesk.orgs.models import OrgUnit

    try:
        matches = list(
            OrgUnit.objects.filter(pk=int(unit))
            if unit.isdigit()
            else OrgUnit.objects.filter(name=unit)
        )
    except DatabaseError as exc:
        raise OrgTermsUnavailable(f"--org {unit}: the database cannot be read ({exc})") from exc
    if not matches:
        raise OrgTermsUnavailable(f"--org {unit}: no unit has that name or id")
    if len(matches) > 1:
        ids = ", ".join(f"{u.pk} (under {u.parent})" for u in matches)
        raise OrgTermsUnavailable(f"--org {unit}: several units have that name; pass an id: {ids}")
    return effective_lexicon(matches[0])
