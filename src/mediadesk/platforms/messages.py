"""The connectors' sentences in the reader's language.

A :class:`ConnectorError`'s ``message`` is translated when it is read (the platforms app hooks
Django's ``gettext`` into the connectors, which stay free of Django). Sentences that reach the
product as plain values — a publish result's reason — go through :func:`said`. The catalogue is
``platforms/locale``; a sentence with the platform's own words or numbers in it is not in it
and stays as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext

from mediadesk.platforms.connectors.errors import ConnectorError


def said(error: ConnectorError | str) -> str:
    """``error``'s message (or a connector's sentence) translated where the catalogue has it."""
    if isinstance(error, ConnectorError):
        return error.message  # translated as it is read
    return gettext(error) if error else ""
