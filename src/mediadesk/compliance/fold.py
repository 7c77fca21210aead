"""Evasion folding (CMP-3): one ``str.translate`` table, position-preserving.

Every character of the text maps to exactly one character of a *marked* string:

* full-width and compatibility forms fold to their plain form (NFKC, one character at a
  time: ＮＯ．１ → no.1, ①→1, Kangxi radicals → ideographs), any decimal digit to ASCII;
* letters fold to lower case;
* traditional characters fold to simplified ones, per character, from the official OpenCC
  ``t2s`` dictionaries (全網最低價 → 全网最低价);
* sentence punctuation (，。！？；：、 and ASCII ,.!?;:) folds to ASCII ``,.!?;:`` and line
  breaks fold to ``\\n``: these stay in the text and keep separating words, so "最，佳能" never
  reads as 最佳;
* ``@`` and ``%`` are kept (e-mail addresses, "100%");
* everything else that is not a letter or a digit — spaces, zero-width and other format
  characters, symbols, emoji, other punctuation, combining marks — folds to :data:`SENTINEL`
  and is later removed, so 最*佳, 最 佳 and 最\\u200b佳 all read as 最佳.

Because the mapping is one character to one character, the sentinels in the marked string
sit exactly where the removed characters were; :mod:`mediadesk.compliance.engine` uses them
to map every folded position back to the text the author wrote.

The table is a ``dict`` that fills itself on first sight of a code point (``__missing__``),
so no start-up time is spent on the 1.1 million code points a text never uses, and it covers
every plane (emoji, mathematical letters, CJK extensions) without a precomputed range.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache

#: Stands for a removed character in the marked string. It is itself a control character,
#: so a NUL in the input folds to it as well and the bookkeeping stays exact.
SENTINEL = "\x00"
#: Bump when the folding rules change: it is part of every lexicon version.
FOLD_VERSION = "1"
#: Folded sentence separators. ``\n`` also stands for line breaks.
SEPARATORS = frozenset(",.!?;:\n")
#: Characters that end a sentence for the context rules (a comma does not).
SENTENCE_END = ".!?;\n"
#: Runs of more removed characters than this between two kept characters are not an
#: evasion but layout (a row of emoji, a long indentation): they separate words instead.
MAX_INSERTED_RUN = 24

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_IDEOGRAPHIC_PUNCT = {"。": ".", "、": ","}
_KEPT_SYMBOLS = frozenset("@%")


@cache
def t2s_table() -> dict[str, str]:
    """Traditional → simplified, per character, from OpenCC's official ``t2s`` config.

    Every ideograph of the BMP blocks and of extension B is converted in one OpenCC call
    (each on its own line, so no phrase rule spans two characters); only the characters
    whose single-character result differs are kept. About 20 ms, once per process.
    """
    import opencc

    ranges = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))
    chars = [chr(cp) for lo, hi in ranges for cp in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - defensive, OpenCC keeps lines
        raise RuntimeError("OpenCC changed the number of lines while converting characters")
    return {
        src: dst for src, dst in zip(chars, converted, strict=True) if src != dst and len(dst) == 1
    }


def fold_char(ch: str) -> str:
    """The folded form of one character: one character, :data:`SENTINEL` when removed."""
    if ch in _LINE_BREAKS:
        return "\n"
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    lower = folded.lower()
    if len(lower) == 1:
        folded = lower
    folded = t2s_table().get(folded, folded)
    if folded in _IDEOGRAPHIC_PUNCT:
        return _IDEOGRAPHIC_PUNCT[folded]
    if folded in SEPARATORS or folded in _KEPT_SYMBOLS:
        return folded
    category = unicodedata.category(folded)
    if category == "Nd":
        return str(unicodedata.digit(folded))
    if category[0] in "LN":
        return folded
    return SENTINEL


class FoldTable(dict):
    """The ``str.translate`` table: code point → code point, computed on first use."""

    def __missing__(self, codepoint: int) -> int:
        value = ord(fold_char(chr(codepoint)))
        self[codepoint] = value
        return value


_table_lock = threading.Lock()
_table: FoldTable | None = None


def fold_table() -> FoldTable:
    """The process-wide folding table (shared by every lexicon and every thread)."""
    global _table
    if _table is None:
        with _table_lock:
            if _table is None:
                table = FoldTable()
                for cp in range(128):  # warm the ASCII range: every text uses it
                    table[cp]
                _table = table
    return _table


def mark(text: str) -> str:
    """``text`` folded character by character; removed characters become sentinels."""
    return text.translate(fold_table())


def fold(text: str) -> str:
    """``text`` folded with removed characters dropped (how lexicon terms are stored)."""
    return mark(text).replace(SENTINEL, "")
