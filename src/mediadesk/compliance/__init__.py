"""Compliance checks (CMP-1 … CMP-6): Advertising Law terms, sensitive content, personal data.

Importable without Django: ``mediadesk check`` runs on a fresh clone with no database.

    >>> from mediadesk.compliance import check_text
    >>> [(f.term, f.category, f.severity, f.suggestion) for f in check_text("全網最低價")]
    [('全網最低價', 'absolute_terms', 'block', '限时特惠')]
"""

from mediadesk.compliance.engine import (
    CompiledLexicon,
    Finding,
    Scanner,
    blocks,
    check_text,
    compile_lexicon,
    scan_chunks,
)
from mediadesk.compliance.lexicon import (
    AllowSpec,
    Category,
    ContextRule,
    Lexicon,
    LexiconError,
    TermSpec,
)

__all__ = [
    "AllowSpec",
    "Category",
    "CompiledLexicon",
    "ContextRule",
    "Finding",
    "Lexicon",
    "LexiconError",
    "Scanner",
    "TermSpec",
    "blocks",
    "check_text",
    "compile_lexicon",
    "scan_chunks",
]
