"""Quality of the engine on the project's evaluation set (``data/eval.jsonl``).

Each line is one sentence written for the set::

    {"id": "v001", "kind": "violation", "text": "…", "block": true,
     "categories": ["absolute_terms"]}

``kind`` is ``violation`` or ``evasion`` (copy that breaks a rule, the second in disguise),
``exempt`` (looks like a violation, is not one: the SAMR guideline's exemptions) or
``clean``. ``block`` says whether the engine must block it; ``categories`` are categories
that must be among its findings (at any severity).

* **recall**: share of the sentences that must block which do block *and* carry every
  expected category;
* **false-block rate**: share of the ``exempt`` and ``clean`` sentences that block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mediadesk.compliance.engine import Finding, check_text
from mediadesk.compliance.lexicon import Lexicon

EVAL_PATH = Path(__file__).with_name("data") / "eval.jsonl"
KINDS = ("violation", "evasion", "exempt", "clean")


@dataclass(frozen=True, slots=True)
class EvalCase:
    id: str
    kind: str
    text: str
    block: bool
    categories: tuple[str, ...] = ()


@dataclass(slots=True)
class EvalReport:
    cases: int = 0
    must_block: int = 0
    recalled: int = 0
    negatives: int = 0
    false_blocks: int = 0
    categories_expected: int = 0
    categories_found: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    #: (case, findings) for every sentence that missed its label
    misses: list[tuple[EvalCase, list[Finding]]] = field(default_factory=list)
    wrongly_blocked: list[tuple[EvalCase, list[Finding]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.must_block if self.must_block else 1.0

    @property
    def false_block_rate(self) -> float:
        return self.false_blocks / self.negatives if self.negatives else 0.0

    @property
    def category_recall(self) -> float:
        """Expected categories found, over all sentences (warn-level ones included)."""
        return self.categories_found / self.categories_expected if self.categories_expected else 1.0

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.by_kind.items()))
        return (
            f"{self.cases} sentences ({kinds}); recall {self.recall:.3f} "
            f"({self.recalled}/{self.must_block}); false blocks {self.false_block_rate:.3f} "
            f"({self.false_blocks}/{self.negatives} exempt+clean); "
            f"categories found {self.category_recall:.3f}"
        )


def load_cases(path: str | Path = EVAL_PATH) -> list[EvalCase]:
    cases = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            if raw["kind"] not in KINDS:
                raise ValueError(f"{path}:{number}: unknown kind {raw['kind']!r}")
            cases.append(
                EvalCase(
                    id=raw["id"],
                    kind=raw["kind"],
                    text=raw["text"],
                    block=bool(raw["block"]),
                    categories=tuple(raw.get("categories", ())),
                )
            )
    return cases


def evaluate(lexicon: Lexicon | None = None, cases: list[EvalCase] | None = None) -> EvalReport:
    """Run the engine over the evaluation set and count what it got right."""
    report = EvalReport()
    for case in load_cases() if cases is None else cases:
        findings = check_text(case.text, lexicon)
        blocked = any(f.severity == "block" for f in findings)
        found = {f.category for f in findings}
        report.cases += 1
        report.by_kind[case.kind] = report.by_kind.get(case.kind, 0) + 1
        report.categories_expected += len(case.categories)
        report.categories_found += sum(1 for c in case.categories if c in found)
        if case.block:
            report.must_block += 1
            if blocked and found.issuperset(case.categories):
                report.recalled += 1
            else:
                report.misses.append((case, findings))
        if case.kind in ("exempt", "clean"):
            report.negatives += 1
            if blocked:
                report.false_blocks += 1
                report.wrongly_blocked.append((case, findings))
    return report
