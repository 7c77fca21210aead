"""The compliance lexicon: categories, terms, allow-list and context rules, versioned.

The built-in lexicon is ``data/lexicon.toml``, authored by the project from the Advertising
Law, the SAMR 2023 enforcement guideline on absolute terms and common usage (see the file's
header). A :class:`Lexicon` is immutable; :meth:`Lexicon.with_additions` returns a new one
with an organisation unit's own terms and allow-list on top (later entries win over earlier
ones for the same folded term, and an allow-list phrase always wins over a term).

Every lexicon has a :attr:`Lexicon.version` such as ``2026.05+3f9c0a1b2d4e``: the data
version of the file and a digest of everything that changes matching (terms, allow-list,
rules, folding rules, the OpenCC version). The engine builds one automaton per version.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mediadesk.compliance.fold import FOLD_VERSION, SEPARATORS, fold

SEVERITIES = ("info", "warn", "block")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
ACTIONS = ("suppress", "downgrade")
INDUSTRIES = ("medical", "drug", "finance", "education")
ARROW = "→"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: The project's lexicon file.
BUILTIN_PATH = Path(__file__).with_name("data") / "lexicon.toml"


class LexiconError(ValueError):
    """The lexicon data (built-in file or additions) is not valid."""


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    basis: str = ""
    description: str = ""
    #: Set for the personal-data categories, which a detector fills rather than terms.
    detector: str | None = None


@dataclass(frozen=True, slots=True)
class TermSpec:
    """One term: what an author must not write (or should have reviewed)."""

    term: str
    category: str
    severity: str = "block"
    suggestion: str | None = None
    tags: tuple[str, ...] = ()
    #: medical / drug / finance / education: makes the term an industry signal for the
    #: context rules that do not apply to those industries.
    industry: str | None = None
    source: str = "builtin"


@dataclass(frozen=True, slots=True)
class AllowSpec:
    """A phrase that is never a finding (最近, 第一步, 最佳赏味期, a registered trademark)."""

    phrase: str
    reason: str = ""
    source: str = "builtin"


@dataclass(frozen=True, slots=True)
class ContextRule:
    """Suppresses or downgrades findings of tagged terms when the sentence qualifies them.

    ``requires``: regular expressions that must *all* match the folded sentence around the
    finding (at most 64 folded characters each side, not past a sentence end). ``quoted``:
    the term must also be wrapped in quotation marks as written. ``unless_industry``: the
    rule does not apply when the same window mentions one of these industries (efficacy
    and return absolutes in medicine or finance are never exempt).
    """

    id: str
    tags: tuple[str, ...]
    action: str
    severity: str | None = None
    requires: tuple[str, ...] = ()
    quoted: bool = False
    unless_industry: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Data:
    name: str
    data_version: str
    categories: dict[str, Category]
    terms: tuple[TermSpec, ...]
    allow: tuple[AllowSpec, ...]
    rules: tuple[ContextRule, ...]
    digest: str = field(default="")


class Lexicon:
    """An immutable, versioned lexicon. Build with :meth:`builtin` or :meth:`from_mapping`."""

    __slots__ = ("__weakref__", "_compiled", "_data")

    def __init__(self, data: _Data) -> None:
        self._data = data
        self._compiled: Any = None

    # -- construction -------------------------------------------------------------------

    @classmethod
    def builtin(cls) -> Lexicon:
        """The project's lexicon from ``data/lexicon.toml`` (parsed once per process)."""
        return _builtin()

    @classmethod
    def from_path(cls, path: str | Path) -> Lexicon:
        with open(path, "rb") as fh:
            return cls.from_mapping(tomllib.load(fh))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Lexicon:
        """A lexicon from the TOML structure described in ``data/lexicon.toml``."""
        meta = raw.get("meta", {})
        categories: dict[str, Category] = {}
        for cid, body in raw.get("categories", {}).items():
            _check_id(cid, "category")
            categories[cid] = Category(
                id=cid,
                label=str(body.get("label", cid)),
                basis=str(body.get("basis", "")),
                description=str(body.get("description", "")),
                detector=body.get("detector"),
            )
        terms: list[TermSpec] = []
        for group in raw.get("terms", []):
            category = group.get("category", "")
            if category not in categories:
                raise LexiconError(f"term group uses unknown category {category!r}")
            for item in group.get("entries", []):
                term, _, suggestion = str(item).partition(ARROW)
                terms.append(
                    TermSpec(
                        term=term.strip(),
                        category=category,
                        severity=group.get("severity", "block"),
                        suggestion=(suggestion.strip() or None)
                        if suggestion
                        else group.get("suggestion"),
                        tags=tuple(group.get("tags", ())),
                        industry=group.get("industry"),
                    )
                )
        allow: list[AllowSpec] = []
        for group in raw.get("allow", []):
            phrases = list(group.get("phrases", []))
            stem = group.get("stem")
            if stem:
                phrases += [stem + suffix for suffix in group.get("suffixes", [])]
            allow += [AllowSpec(p, str(group.get("reason", ""))) for p in phrases]
        rules = [
            ContextRule(
                id=str(body.get("id", "")),
                tags=tuple(body.get("tags", ())),
                action=str(body.get("action", "")),
                severity=body.get("severity"),
                requires=tuple(body.get("requires", ())),
                quoted=bool(body.get("quoted", False)),
                unless_industry=tuple(body.get("unless_industry", ())),
                reason=str(body.get("reason", "")),
            )
            for body in raw.get("context_rules", [])
        ]
        data = _Data(
            name=str(meta.get("name", "lexicon")),
            data_version=str(meta.get("version", "0")),
            categories=categories,
            terms=tuple(terms),
            allow=tuple(allow),
            rules=tuple(rules),
        )
        _validate(data)
        return cls(_with_digest(data, _digest(_canonical(data))))

    def with_additions(
        self,
        terms: Iterable[TermSpec | Mapping[str, Any]] = (),
        allow: Iterable[AllowSpec | Mapping[str, Any] | str] = (),
        *,
        source: str = "org",
    ) -> Lexicon:
        """A new lexicon with extra terms and allow-list phrases (e.g. an org unit's own).

        ``terms`` items are :class:`TermSpec` or mappings with ``term``, ``category`` and
        optionally ``severity`` (default ``block``), ``suggestion``, ``tags``, ``industry``.
        A category that is not built in is created (its id must be snake_case). For the
        same folded term the addition replaces the built-in entry; an allow-list phrase
        suppresses any term it equals or contains at the same position.
        """
        new_terms = tuple(_term_spec(t, source) for t in terms)
        new_allow = tuple(_allow_spec(a, source) for a in allow)
        if not new_terms and not new_allow:
            return self
        categories = dict(self._data.categories)
        for spec in new_terms:
            if spec.category not in categories:
                _check_id(spec.category, "category")
                categories[spec.category] = Category(id=spec.category, label=spec.category)
        data = _Data(
            name=self._data.name,
            data_version=self._data.data_version,
            categories=categories,
            terms=self._data.terms + new_terms,
            allow=self._data.allow + new_allow,
            rules=self._data.rules,
        )
        _validate(data, start_terms=len(self._data.terms), start_allow=len(self._data.allow))
        addition = json.dumps(
            [[_term_row(t) for t in new_terms], [[a.phrase, a.source] for a in new_allow]],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return Lexicon(_with_digest(data, _digest(self._data.digest + addition)))

    # -- read-only view -----------------------------------------------------------------

    @property
    def version(self) -> str:
        """``<data version>+<12 hex digits>``; changes whenever matching could change."""
        return f"{self._data.data_version}+{self._data.digest[:12]}"

    @property
    def digest(self) -> str:
        return self._data.digest

    @property
    def name(self) -> str:
        return self._data.name

    @property
    def categories(self) -> Mapping[str, Category]:
        return dict(self._data.categories)

    @property
    def terms(self) -> tuple[TermSpec, ...]:
        return self._data.terms

    @property
    def allow(self) -> tuple[AllowSpec, ...]:
        return self._data.allow

    @property
    def rules(self) -> tuple[ContextRule, ...]:
        return self._data.rules

    def __len__(self) -> int:
        return len(self._data.terms)

    def __repr__(self) -> str:
        return f"<Lexicon {self.name} {self.version}: {len(self)} terms, {len(self.allow)} allowed>"


# -- helpers ------------------------------------------------------------------------------


@cache
def _builtin() -> Lexicon:
    return Lexicon.from_path(BUILTIN_PATH)


def _check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise LexiconError(f"{what} id {value!r} must be snake_case (a-z, 0-9, _)")


def _check_phrase(text: str, what: str) -> None:
    folded = fold(text)
    if not folded or all(ch in SEPARATORS for ch in folded):
        raise LexiconError(f"{what} {text!r} has no letters or digits once folded")
    if "\n" in folded:
        raise LexiconError(f"{what} {text!r} spans a line break")


def _validate(data: _Data, start_terms: int = 0, start_allow: int = 0) -> None:
    for spec in data.terms[start_terms:]:
        if spec.category not in data.categories:
            raise LexiconError(f"term {spec.term!r} uses unknown category {spec.category!r}")
        if spec.severity not in SEVERITIES:
            raise LexiconError(f"term {spec.term!r}: severity must be one of {SEVERITIES}")
        if spec.industry is not None and spec.industry not in INDUSTRIES:
            raise LexiconError(f"term {spec.term!r}: industry must be one of {INDUSTRIES}")
        for tag in spec.tags:
            _check_id(tag, "tag")
        _check_phrase(spec.term, "term")
    for spec in data.allow[start_allow:]:
        _check_phrase(spec.phrase, "allow-list phrase")
    if start_terms or start_allow:
        return
    seen: set[str] = set()
    for rule in data.rules:
        _check_id(rule.id, "context rule")
        if rule.id in seen:
            raise LexiconError(f"context rule {rule.id!r} is defined twice")
        seen.add(rule.id)
        if rule.action not in ACTIONS:
            raise LexiconError(f"context rule {rule.id!r}: action must be one of {ACTIONS}")
        if rule.action == "downgrade" and rule.severity not in SEVERITIES:
            raise LexiconError(f"context rule {rule.id!r}: downgrade needs a severity")
        if not rule.requires and not rule.quoted:
            raise LexiconError(f"context rule {rule.id!r} has no condition")
        for industry in rule.unless_industry:
            if industry not in INDUSTRIES:
                raise LexiconError(f"context rule {rule.id!r}: unknown industry {industry!r}")
        for pattern in rule.requires:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise LexiconError(
                    f"context rule {rule.id!r}: bad pattern {pattern!r}: {exc}"
                ) from exc


def _term_spec(item: TermSpec | Mapping[str, Any], source: str) -> TermSpec:
    if isinstance(item, TermSpec):
        return item
    try:
        return TermSpec(
            term=str(item["term"]).strip(),
            category=str(item["category"]),
            severity=str(item.get("severity", "block")),
            suggestion=item.get("suggestion") or None,
            tags=tuple(item.get("tags", ())),
            industry=item.get("industry"),
            source=str(item.get("source", source)),
        )
    except KeyError as exc:
        raise LexiconError(f"an added term needs {exc.args[0]!r}: {dict(item)!r}") from exc


def _allow_spec(item: AllowSpec | Mapping[str, Any] | str, source: str) -> AllowSpec:
    if isinstance(item, AllowSpec):
        return item
    if isinstance(item, str):
        return AllowSpec(item.strip(), "", source)
    return AllowSpec(
        str(item["phrase"]).strip(), str(item.get("reason", "")), str(item.get("source", source))
    )


def _term_row(spec: TermSpec) -> list[Any]:
    return [
        spec.term,
        spec.category,
        spec.severity,
        spec.suggestion,
        list(spec.tags),
        spec.industry,
        spec.source,
    ]


def _canonical(data: _Data) -> str:
    import opencc

    body = {
        "fold": FOLD_VERSION,
        "opencc": getattr(opencc, "__version__", "?"),
        "categories": sorted(data.categories),
        "terms": [_term_row(t) for t in data.terms],
        "allow": [[a.phrase, a.source] for a in data.allow],
        "rules": [
            [
                r.id,
                list(r.tags),
                r.action,
                r.severity,
                list(r.requires),
                r.quoted,
                list(r.unless_industry),
            ]
            for r in data.rules
        ],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_digest(data: _Data, digest: str) -> _Data:
    return _Data(
        name=data.name,
        data_version=data.data_version,
        categories=data.categories,
        terms=data.terms,
        allow=data.allow,
        rules=data.rules,
        digest=digest,
    )
