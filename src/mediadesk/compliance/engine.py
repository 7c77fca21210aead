"""The compliance engine: one automaton per lexicon version, exact offsets, streaming.

``check_text(text)`` returns the findings of one text; :class:`Scanner` checks a stream of
chunks (the CLI's 20 MB files) in bounded memory and returns exactly the findings, with the
same global offsets, that ``check_text`` returns for the whole text.

How a text is checked:

1. **Fold** it with one ``str.translate`` table (:mod:`.fold`); removed characters become
   sentinels, which are then dropped. A run of removed characters remembers where it was,
   so every folded position maps back to the text as written.
2. **Match** the folded text with a daachorse double-array Aho-Corasick automaton in
   leftmost-longest mode. Terms and allow-list phrases share the automaton: 全网最低价 wins
   over 最 inside it, and the allow-list phrase 最近 wins over the term 最 — a match on an
   allow-list phrase is simply not reported.
3. **Check context**: terms whose edges are ASCII letters or digits (no.1, top1) need a word
   boundary; context rules of the lexicon suppress or downgrade qualified claims.
4. **Detect personal data** (:mod:`.personal_data`) in the same folded text.

Offsets are Python ``str`` indexes into the text the author wrote; ``term`` is that slice
(so ``text[f.start:f.end] == f.term`` always holds).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import daachorse

from mediadesk.compliance import personal_data
from mediadesk.compliance.fold import (
    MAX_INSERTED_RUN,
    SENTENCE_END,
    SENTINEL,
    fold,
    fold_table,
)
from mediadesk.compliance.lexicon import SEVERITY_RANK, ContextRule, Lexicon

#: Folded characters of context a rule may look at on each side of a finding.
CONTEXT = 64
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_OPEN_QUOTES = frozenset("“‘「『\"'〝＂＇《〈【〖")
_CLOSE_QUOTES = frozenset("”’」』\"'〞＂＇》〉】〗")
_PAIRS = "“” ‘’ 「」 『』 《》 〈〉 【】 〖〗 （） () [] ［］ {} 〔〕 ｢｣ 〝〞"
_OPENERS = {pair[0]: pair[1] for pair in _PAIRS.split()}
_CLOSERS = frozenset(pair[1] for pair in _PAIRS.split())
_SYMMETRIC_QUOTES = frozenset("\"'＂＇")
_LONG_RUN = SENTINEL * (MAX_INSERTED_RUN + 1)
_RUN_RE = re.compile(re.escape(SENTINEL) + "+")
_SENTENCE_END_RE = re.compile("[" + re.escape(SENTENCE_END) + "]")
_LONG_RE = re.compile(re.escape(SENTINEL) + f"{{{MAX_INSERTED_RUN + 1},}}")


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. ``start``/``end`` index the original text; ``term`` is that slice."""

    start: int
    end: int
    term: str
    category: str
    severity: str
    suggestion: str | None
    #: ``lexicon``, ``context:<rule id>`` when a context rule downgraded it, or ``pii``.
    rule: str = "lexicon"
    #: The folded form that matched (the lexicon term, or the digits of a number).
    normalized: str = ""

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    def as_dict(self) -> dict[str, Any]:
        """The public shape (API, CLI ``--json``)."""
        return {
            "start": self.start,
            "end": self.end,
            "term": self.term,
            "category": self.category,
            "severity": self.severity,
            "suggestion": self.suggestion,
        }


# -- compiled lexicon ---------------------------------------------------------------------


class _Rule:
    __slots__ = ("action", "id", "quoted", "requires", "severity", "unless")

    def __init__(self, rule: ContextRule) -> None:
        self.id = rule.id
        self.action = rule.action
        self.severity = rule.severity
        self.quoted = rule.quoted
        self.requires = tuple(re.compile(p) for p in rule.requires)
        self.unless = frozenset(rule.unless_industry)


class _Kind:
    """What a pattern means. Shared by every pattern with the same meaning, so a 100k-term
    lexicon holds a few hundred of these rather than 100k objects."""

    __slots__ = ("allow", "category", "industry", "rules", "severity", "suggestion", "unquoted")

    def __init__(
        self,
        allow: bool,
        category: str = "",
        severity: str = "info",
        suggestion: str | None = None,
        industry: str | None = None,
        rules: tuple[_Rule, ...] = (),
    ) -> None:
        self.allow = allow
        self.category = category
        self.severity = severity
        self.suggestion = suggestion
        self.industry = industry
        self.rules = rules
        #: some rule applies without the term being in quotation marks
        self.unquoted = any(not rule.quoted for rule in rules)


class CompiledLexicon:
    """The automaton and pattern table of one lexicon version (shared, read-only)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.version = lexicon.version
        rules = [(_Rule(r), r.tags) for r in lexicon.rules]
        rules_for: dict[tuple[str, ...], tuple[_Rule, ...]] = {}
        kinds: dict[tuple[Any, ...], _Kind] = {}
        by_pattern: dict[str, _Kind] = {}
        for spec in lexicon.terms:
            applicable = rules_for.get(spec.tags)
            if applicable is None:
                tags = set(spec.tags)
                applicable = tuple(r for r, on in rules if "*" in on or tags.intersection(on))
                rules_for[spec.tags] = applicable
            key = (spec.category, spec.severity, spec.suggestion, spec.industry, applicable)
            kind = kinds.get(key)
            if kind is None:
                kind = kinds[key] = _Kind(False, *key)
            by_pattern[fold(spec.term)] = kind  # a later entry (an addition) wins
        allowed = _Kind(True)
        for spec in lexicon.allow:
            by_pattern[fold(spec.phrase)] = allowed
        #: folded patterns, by pattern id
        self.patterns = list(by_pattern)
        #: what each pattern id means
        self.pats = list(by_pattern.values())
        del by_pattern
        self.automaton = daachorse.CharwiseDoubleArrayAhoCorasick(
            self.patterns, match_kind=daachorse.MATCH_KIND_LEFTMOST_LONGEST
        )
        self.maxlen = max(map(len, self.patterns))
        #: Folded characters a streaming scan keeps unconfirmed at the end of its buffer.
        self.margin = max(self.maxlen + CONTEXT, personal_data.MAX_SPAN) + 1


_cache_lock = threading.Lock()
_cache: OrderedDict[str, CompiledLexicon] = OrderedDict()
_CACHE_SIZE = 16


def compile_lexicon(lexicon: Lexicon | None = None) -> CompiledLexicon:
    """The compiled form of ``lexicon`` (the built-in one by default), built once per version."""
    lexicon = Lexicon.builtin() if lexicon is None else lexicon
    compiled = lexicon._compiled
    if compiled is not None:
        return compiled
    with _cache_lock:
        compiled = _cache.get(lexicon.digest)
        if compiled is not None:
            _cache.move_to_end(lexicon.digest)
    if compiled is None:
        compiled = CompiledLexicon(lexicon)
        with _cache_lock:
            _cache[lexicon.digest] = compiled
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    lexicon._compiled = compiled
    return compiled


# -- scanning -----------------------------------------------------------------------------


def _as_breaks(match: Any) -> str:
    return "\n" * (match.end() - match.start())


class Scanner:
    """Checks a text fed in chunks; memory stays bounded by the chunk size.

    ``feed(chunk)`` returns the findings that are final so far and ``finish()`` the rest;
    together they equal ``check_text`` of the concatenated chunks, in order of ``start``.
    Until the next ``feed``, :meth:`position` and :meth:`context` can describe the
    findings just returned (the CLI's line and column numbers).
    """

    def __init__(self, lexicon: Lexicon | CompiledLexicon | None = None) -> None:
        self._c = lexicon if isinstance(lexicon, CompiledLexicon) else compile_lexicon(lexicon)
        self._table = fold_table()
        self._F = ""  # folded text kept (history + unconfirmed part)
        self._fbase = 0  # global folded index of _F[0]
        self._O = ""  # original text kept
        self._obase = 0  # global original index of _O[0]
        self._held = ""  # trailing removed characters waiting for the next chunk
        self._rm_base = 0  # removed characters before the kept runs
        self._run_keys: list[int] = []  # folded index of the character after each run
        self._run_cum = [0]  # removed characters in the runs before index i
        self._p_lex = 0  # folded index where the next lexicon scan starts
        self._p_num = 0
        self._p_mail = 0
        self._ln_pos = 0  # line tracking: original offset counted up to
        self._ln_no = 0
        self._ln_start = 0
        self._done = False

    # -- public -------------------------------------------------------------------------

    def feed(self, chunk: str) -> list[Finding]:
        if self._done:
            raise RuntimeError("Scanner.feed() after finish()")
        self._trim()
        return self._process(chunk, final=False)

    def finish(self) -> list[Finding]:
        if self._done:
            return []
        self._trim()
        self._done = True
        return self._process("", final=True)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an original offset; offsets must not decrease."""
        if offset < self._ln_pos:
            raise ValueError("positions must be asked in increasing order")
        segment = self._O[self._ln_pos - self._obase : offset - self._obase]
        breaks = segment.count("\n")
        if breaks:
            self._ln_no += breaks
            self._ln_start = self._ln_pos + segment.rfind("\n") + 1
        self._ln_pos = offset
        return self._ln_no + 1, offset - self._ln_start + 1

    def context(self, start: int, end: int, width: int = 12) -> tuple[str, str]:
        """Up to ``width`` characters written before and after a finding, on its line."""
        text, base = self._O, self._obase
        before = text[max(0, start - width - base) : max(0, start - base)]
        after = text[max(0, end - base) : max(0, end + width - base)]
        for brk in "\n\r":
            before = before.rsplit(brk, 1)[-1]
            after = after.split(brk, 1)[0]
        return before, after

    @property
    def buffered_chars(self) -> int:
        """Characters held in memory (original + folded): bounded by chunk size + margin."""
        return len(self._O) + len(self._F) + len(self._held)

    # -- internals ----------------------------------------------------------------------

    def _orig(self, g: int) -> int:
        """Original offset of folded position ``g`` (``g`` must be inside the buffer)."""
        keys = self._run_keys
        if not keys:
            return g + self._rm_base
        return g + self._rm_base + self._run_cum[bisect_right(keys, g)]

    def _trim(self) -> None:
        keep = min(self._p_lex, self._p_num, self._p_mail) - CONTEXT
        if keep <= self._fbase:
            return
        new_obase = self._orig(keep - 1) + 1
        if new_obase > self._ln_pos:
            self.position(new_obase)
        self._O = self._O[new_obase - self._obase :]
        self._obase = new_obase
        self._F = self._F[keep - self._fbase :]
        self._fbase = keep
        keys = self._run_keys
        if keys:
            drop = bisect_left(keys, keep)
            if drop:
                removed = self._run_cum[drop]
                self._rm_base += removed
                self._run_keys = keys[drop:]
                self._run_cum = [n - removed for n in self._run_cum[drop:]]

    def _append(self, chunk: str, final: bool) -> None:
        text = self._held + chunk if self._held else chunk
        marked = text.translate(self._table)
        if SENTINEL in marked:
            hold = 0
            if not final and marked[-1] == SENTINEL:
                run = len(marked) - len(marked.rstrip(SENTINEL))
                hold = min(run, MAX_INSERTED_RUN + 1)
            if _LONG_RUN in marked:
                marked = _LONG_RE.sub(_as_breaks, marked)
            if hold:
                self._held = text[-hold:]
                text = text[:-hold]
                marked = marked[:-hold]
            else:
                self._held = ""
            fstart = self._fbase + len(self._F)
            keys, cum = self._run_keys, self._run_cum
            removed = 0
            for match in _RUN_RE.finditer(marked):
                start, end = match.span()
                keys.append(fstart + start - removed)
                removed += end - start
                cum.append(cum[-1] + end - start)
            folded = marked.replace(SENTINEL, "") if removed else marked
        else:
            self._held = ""
            folded = marked
        self._O = self._O + text if self._O else text
        self._F = self._F + folded if self._F else folded

    def _process(self, chunk: str, final: bool) -> list[Finding]:
        self._append(chunk, final)
        fend = self._fbase + len(self._F)
        limit = fend if final else fend - self._c.margin
        found: list[Finding] = []
        if limit > self._p_lex:
            self._scan_lexicon(limit, final, found)
        pii: list[Finding] = []
        if limit > self._p_num:
            self._scan_numbers(limit, final, pii)
        if limit > self._p_mail:
            self._scan_mail(limit, final, pii)
        if pii:
            found += pii
            found.sort(key=_order)
        return found

    def _scan_lexicon(self, limit: int, final: bool, found: list[Finding]) -> None:
        F, p = self._F, self._p_lex
        head = p - self._fbase
        emit = self._emit_match
        kinds = self._c.pats
        last_end = p
        for s, e, pid in self._c.automaton.find(F[head:] if head else F):
            gs = s + p
            if gs >= limit:
                break
            last_end = e + p
            if not kinds[pid].allow:
                emit(gs, last_end, pid, found)
        if not final:
            self._p_lex = max(limit, last_end)

    def _emit_match(self, gs: int, ge: int, pid: int, found: list[Finding]) -> None:
        """Turn one automaton match at folded [gs, ge) into a finding, if it is one."""
        kind = self._c.pats[pid]
        if kind.allow:
            return
        F, fbase, orig = self._F, self._fbase, self._orig
        keys = self._run_keys
        if keys:
            cum = self._run_cum
            ostart = gs + self._rm_base + cum[bisect_right(keys, gs)]
            oend = ge + self._rm_base + cum[bisect_right(keys, ge - 1)]
        else:
            ostart = gs + self._rm_base
            oend = ge + self._rm_base
        if oend - ostart != ge - gs:  # something was written between the characters
            split = self._unpaired_split(gs, ge, ostart)
            if split is not None:  # an unpaired quote or bracket separates, as punctuation does
                for a, b in ((gs, split), (split, ge)):
                    for s, e, sub in self._c.automaton.find(F[a - fbase : b - fbase]):
                        self._emit_match(a + s, a + e, sub, found)
                return
        pattern = self._c.patterns[pid]
        if pattern[0] in _ALNUM:  # no.1 must not match inside "no.12"
            i = gs - fbase
            if i > 0 and F[i - 1] in _ALNUM and ostart - orig(gs - 1) == 1:
                return
        if pattern[-1] in _ALNUM:  # top1 must not match inside "top10"
            j = ge - fbase
            if j < len(F) and F[j] in _ALNUM and orig(ge) == oend:
                return
        severity = kind.severity
        rule_name = "lexicon"
        if kind.rules and (
            kind.unquoted
            or (ostart > self._obase and self._O[ostart - 1 - self._obase] in _OPEN_QUOTES)
        ):
            outcome = self._apply_rules(kind, gs, ge, ostart, oend)
            if outcome is None:
                return
            severity, rule_name = outcome
        found.append(
            Finding(
                ostart,
                oend,
                self._O[ostart - self._obase : oend - self._obase],
                kind.category,
                severity,
                kind.suggestion,
                rule_name,
                pattern,
            )
        )

    def _unpaired_split(self, gs: int, ge: int, ostart: int) -> int | None:
        """Folded position of the first quote or bracket inside a match without a partner
        inside the match (‘最’为: the quote closes before 为), or None.

        Paired ones stay inside the match, so 最「佳」 is still 最佳.
        """
        # up to the next character kept, so that the quote closing 最「佳」 is seen
        term = self._O[ostart - self._obase : self._orig(ge) - self._obase]
        unpaired: list[int] = []
        stack: list[tuple[str, int]] = []
        symmetric: dict[str, list[int]] = {}
        for index, ch in enumerate(term):
            if ch in _OPENERS:
                stack.append((_OPENERS[ch], index))
            elif ch in _CLOSERS:
                if stack and stack[-1][0] == ch:
                    stack.pop()
                else:
                    unpaired.append(index)
            elif ch in _SYMMETRIC_QUOTES:
                symmetric.setdefault(ch, []).append(index)
        unpaired += [index for _, index in stack]
        unpaired += [spots[-1] for spots in symmetric.values() if len(spots) % 2]
        if not unpaired:
            return None
        at = ostart + min(unpaired)
        orig = self._orig
        for k in range(gs + 1, ge):
            if orig(k) > at:
                return k
        return None

    def _apply_rules(
        self, kind: _Kind, gs: int, ge: int, ostart: int, oend: int
    ) -> tuple[str, str] | None:
        """(severity, rule) after the first context rule that applies; None: suppressed."""
        window: str | None = None
        for rule in kind.rules:
            if rule.quoted:
                written, before, after = self._O, ostart - 1 - self._obase, oend - self._obase
                if not (
                    before >= 0
                    and after < len(written)
                    and written[before] in _OPEN_QUOTES
                    and written[after] in _CLOSE_QUOTES
                ):
                    continue
            if window is None:
                window = self._sentence(gs, ge)
            if not all(rx.search(window) for rx in rule.requires):
                continue
            if rule.unless and self._mentions_industry(window, rule.unless):
                continue
            if rule.action == "suppress":
                return None
            if SEVERITY_RANK[rule.severity] < SEVERITY_RANK[kind.severity]:
                return rule.severity, f"context:{rule.id}"
            return kind.severity, "lexicon"
        return kind.severity, "lexicon"

    def _sentence(self, gs: int, ge: int) -> str:
        """The folded text around [gs, ge): at most CONTEXT characters each side, not past
        the end of the sentence."""
        F = self._F
        i, j = gs - self._fbase, ge - self._fbase
        lo, hi = max(0, i - CONTEXT), min(len(F), j + CONTEXT)
        for match in _SENTENCE_END_RE.finditer(F, lo, i):
            lo = match.end()
        match = _SENTENCE_END_RE.search(F, j, hi)
        if match is not None:
            hi = match.start()
        return F[lo:hi]

    def _mentions_industry(self, window: str, industries: frozenset[str]) -> bool:
        pats = self._c.pats
        return any(pats[pid].industry in industries for _, _, pid in self._c.automaton.find(window))

    def _gaps(self, gs: int, ge: int) -> list[int]:
        """Offsets inside folded [gs, ge) where the author had written something between."""
        keys = self._run_keys
        lo, hi = bisect_right(keys, gs), bisect_left(keys, ge)
        return [k - gs for k in keys[lo:hi]]

    def _pii_finding(self, gs: int, ge: int, category: str, normalized: str) -> Finding:
        ostart, oend = self._orig(gs), self._orig(ge - 1) + 1
        severity, suggestion = personal_data.DETECTED[category]
        term = self._O[ostart - self._obase : oend - self._obase]
        return Finding(ostart, oend, term, category, severity, suggestion, "pii", normalized)

    def _scan_numbers(self, limit: int, final: bool, found: list[Finding]) -> None:
        F, fbase = self._F, self._fbase
        last_end = self._p_num
        for match in personal_data.DIGIT_RUN.finditer(F, self._p_num - fbase):
            gs = match.start() + fbase
            if gs >= limit:
                break
            ge = match.end() + fbase
            last_end = ge
            number = match.group()
            for a, b, category in personal_data.split_candidates(number, self._gaps(gs, ge)):
                found.append(self._pii_finding(gs + a, gs + b, category, number[a:b]))
        if not final:
            self._p_num = max(limit, last_end)

    def _scan_mail(self, limit: int, final: bool, found: list[Finding]) -> None:
        """E-mail addresses, searched only around each "@" (same result as a full scan:
        an address holds exactly one "@" and starts at most 64 characters before it)."""
        F, fbase = self._F, self._fbase
        cursor = self._p_mail - fbase
        local = personal_data.EMAIL_LOCAL_MAX + 1
        span = personal_data.MAX_SPAN
        search = personal_data.EMAIL_RE.search
        at = F.find("@", cursor)
        while at >= 0 and at + fbase < limit + local:
            match = search(F, max(cursor, at - local), min(len(F), at + span))
            if match is not None and match.start() <= at < match.end():
                gs = match.start() + fbase
                if gs >= limit:
                    break
                found.append(
                    self._pii_finding(gs, match.end() + fbase, personal_data.EMAIL, match.group())
                )
                cursor = match.end()
            at = F.find("@", max(at + 1, cursor))
        if not final:
            self._p_mail = max(limit, cursor + fbase)


def _order(finding: Finding) -> tuple[int, int]:
    return finding.start, finding.end


# -- public functions ---------------------------------------------------------------------


def check_text(text: str, lexicon: Lexicon | None = None) -> list[Finding]:
    """All findings in ``text``, ordered by ``start``; offsets index ``text`` itself."""
    scanner = Scanner(lexicon)
    scanner._done = True
    return scanner._process(text, final=True)


def scan_chunks(chunks: Iterable[str], lexicon: Lexicon | None = None) -> Iterator[Finding]:
    """Findings of the concatenated chunks, produced while reading (bounded memory)."""
    scanner = Scanner(lexicon)
    for chunk in chunks:
        yield from scanner.feed(chunk)
    yield from scanner.finish()


def blocks(findings: Iterable[Finding]) -> bool:
    """True when any finding has severity ``block``."""
    return any(f.severity == "block" for f in findings)
