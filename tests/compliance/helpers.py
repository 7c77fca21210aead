"""Shared helpers for the compliance tests (no database needed)."""

from __future__ import annotations

from mediadesk.compliance import Finding, Lexicon, check_text


def hits(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str, str]]:
    """(term as written, category, severity) of every finding, in order."""
    return [(f.term, f.category, f.severity) for f in check_text(text, lexicon)]


def blocking(text: str) -> list[Finding]:
    return [f for f in check_text(text) if f.severity == "block"]


def categories(text: str) -> set[str]:
    return {f.category for f in check_text(text)}
