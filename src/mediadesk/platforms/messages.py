"""The connectors' sentences in the reader's language.

A :class:`ConnectorError`'s ``message`` is translated when it is read (the platforms app hooks
Django's ``gettext`` into the connectors, which stay free of Django). Sentences that reach the
product as plain values — a publish result's reason — go through :func:`said`. The catalogue is
``platforms/locale``; a sentence with the platform's own words or numbers in it is not in it
and stays as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext


def said(sentence: str) -> str:
    """A connector's sentence that reached the product as a plain value, translated where the
    catalogue has it."""
    return gettext(sentence) if sentence else ""
