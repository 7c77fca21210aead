"""Compliance engine: quality on the evaluation set, CLI speed, comment latency, memory.

Goals (issue 4):

* evaluation set: recall ≥ 0.95, no false block on the exempt and clean sentences;
* ``mediadesk check --json`` on 20 MB of Chinese copy, whole process, at most 3× a baseline
  process that folds the text with one ``str.translate`` table and scans it with daachorse
  and a lexicon of the same size (both run here, side by side, best of three each);
* one 70-character comment checked in-process: p50 under 50 µs;
* RSS under 200 MB with a generated 100k-term lexicon.

Run alone with ``python -m mediadesk.bench compliance``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RECALL = 0.95
GOAL_FALSE_BLOCKS = 0.0
GOAL_CLI_RATIO = 3.0
GOAL_P50_US = 50.0
GOAL_RSS_MB = 200.0
CORPUS_BYTES = 20 * 1024 * 1024
BIG_LEXICON_TERMS = 100_000
ROUNDS = 3

COMMENT = (
    "【周末福利】这款保温杯采用食品级不锈钢，保温长达十二小时，今天全网最低价只要五十九元，"
    "下单还送杯套和杯刷，欢迎到店选购，有问题随时联系我们！"
)[:70]

# The baseline: one translate table (full-width, case, spaces, zero-width characters and
# common symbols, traditional → simplified per character from OpenCC), one daachorse scan.
BASELINE = r"""
import json, sys
import daachorse, opencc
path, patterns_path = sys.argv[1], sys.argv[2]
with open(patterns_path, encoding="utf-8") as fh:
    patterns = json.load(fh)
table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
table.update({cp: cp + 32 for cp in range(0x41, 0x5B)})
removed = " \t\u3000\u200b\u200c\u200d\u2060\ufeff*·-_~#&^|/\\\"'“”‘’「」【】（）()"
table.update({ord(ch): None for ch in removed})
ranges = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))
chars = [chr(cp) for lo, hi in ranges for cp in range(lo, hi)]
simplified = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
table.update({ord(a): b for a, b in zip(chars, simplified) if a != b and len(b) == 1})
automaton = daachorse.CharwiseDoubleArrayAhoCorasick(
    patterns, match_kind=daachorse.MATCH_KIND_LEFTMOST_LONGEST
)
with open(path, encoding="utf-8", newline="") as fh:
    text = fh.read()
print(len(automaton.find(text.translate(table))))
"""

RSS_CHILD = r"""
import json, random, sys, time
from mediadesk.compliance import Lexicon, TermSpec, check_text, compile_lexicon
count, comment = int(sys.argv[1]), sys.argv[2]
rng = random.Random(100)
categories = ["absolute_terms", "medical_efficacy", "false_exaggeration", "special_industry"]
terms, seen = [], set()
while len(terms) < count:
    term = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 6)))
    if term not in seen:
        seen.add(term)
        terms.append(TermSpec(term, categories[len(terms) % 4], "warn", source="bench"))
started = time.perf_counter()
lexicon = Lexicon.builtin().with_additions(terms)
compile_lexicon(lexicon)
build = time.perf_counter() - started
findings = check_text(comment, lexicon)
del terms, seen
with open("/proc/self/status", encoding="ascii") as fh:
    peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
print(json.dumps({
    "rss_mb": peak / 1024,
    "build_s": build,
    "terms": len(lexicon),
    "findings": len(findings),
}))
"""


def _line(label: str, value: str, goal: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"  {label:<44} {value:<28} {goal}{verdict}", flush=True)


def _quality() -> bool:
    from mediadesk.compliance.evaluation import evaluate

    report = evaluate()
    print(f"  evaluation set: {report.summary()}")
    recall_ok = report.recall >= GOAL_RECALL
    fb_ok = report.false_block_rate <= GOAL_FALSE_BLOCKS
    _line(
        "recall (must-block sentences)", f"{report.recall:.3f}", f"goal ≥ {GOAL_RECALL}", recall_ok
    )
    _line(
        "false-block rate (exempt + clean)",
        f"{report.false_block_rate:.3f} ({report.false_blocks}/{report.negatives})",
        "goal 0",
        fb_ok,
    )
    for case, findings in report.misses:
        terms = ", ".join(f"{f.term}:{f.category}:{f.severity}" for f in findings) or "nothing"
        print(f"    missed {case.id}: {case.text}  → {terms}")
    for case, _findings in report.wrongly_blocked:
        print(f"    FALSE BLOCK {case.id}: {case.text}")
    return recall_ok and fb_ok


def write_corpus(path: Path, size: int = CORPUS_BYTES, seed: int = 4) -> int:
    """A deterministic file of Chinese copy: mostly clean sentences, ~15 % with findings."""
    from mediadesk.compliance.evaluation import load_cases

    cases = load_cases()
    clean = [c.text for c in cases if c.kind in ("clean", "exempt")]
    flagged = [c.text for c in cases if c.kind in ("violation", "evasion")]
    rng = random.Random(seed)
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        while written < size:
            line = "".join(
                rng.choice(flagged) if rng.random() < 0.15 else rng.choice(clean)
                for _ in range(rng.randint(3, 9))
            )
            data = line + ("\r\n" if rng.random() < 0.1 else "\n")
            fh.write(data)
            written += len(data.encode("utf-8"))
    return written


def _peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a running process, from /proc."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _timed(cmd: list[str], stdout_path: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit status) of one child process.

    The peak is VmHWM sampled every 5 ms while the child runs (``ru_maxrss`` of a child is
    useless here: Linux carries the parent's peak over into the child at fork/exec).
    """
    with open(stdout_path, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)  # noqa: S603
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _peak_rss_mb(proc.pid) or 0.0)
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        err = proc.stderr.read() if proc.stderr else b""
        if proc.stderr:
            proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[:4]} failed: {err.decode('utf-8', 'replace')}")
    return elapsed, peak, proc.returncode


def _cli_vs_baseline(tmp: Path) -> bool:
    from mediadesk.compliance import compile_lexicon

    corpus = tmp / "copy-20mb.txt"
    size = write_corpus(corpus)
    patterns = tmp / "patterns.json"
    compiled = compile_lexicon()
    patterns.write_text(json.dumps(compiled.patterns, ensure_ascii=False), encoding="utf-8")
    chars = len(corpus.read_text(encoding="utf-8"))
    print(
        f"  corpus: {size / 2**20:.1f} MiB, {chars / 1e6:.2f} M characters; "
        f"lexicon {len(compiled.patterns)} patterns (same list for the baseline)"
    )
    cli = [sys.executable, "-m", "mediadesk", "check", "--json", str(corpus)]
    base = [sys.executable, "-c", BASELINE, str(corpus), str(patterns)]
    cli_runs, base_runs = [], []
    for _ in range(ROUNDS):
        base_runs.append(_timed(base, tmp / "baseline.out"))
        cli_runs.append(_timed(cli, tmp / "cli.out"))
    cli_best, base_best = min(cli_runs), min(base_runs)
    cli_peak, base_peak = max(r[1] for r in cli_runs), max(r[1] for r in base_runs)
    with open(tmp / "cli.out", encoding="utf-8") as fh:
        findings = json.load(fh)
    matches = int((tmp / "baseline.out").read_text().strip() or 0)
    blocks = sum(1 for f in findings if f["severity"] == "block")
    print(
        f"  cli: {len(findings)} findings ({blocks} block), exit {cli_best[2]}; "
        f"baseline: {matches} matches"
    )
    ratio = cli_best[0] / base_best[0]
    ok = ratio <= GOAL_CLI_RATIO
    _line(
        "baseline process (translate + daachorse)",
        f"{base_best[0]:.2f} s, peak RSS {base_peak:.0f} MB",
        "",
        None,
    )
    _line(
        "mediadesk check --json, whole process",
        f"{cli_best[0]:.2f} s, peak RSS {cli_peak:.0f} MB",
        "",
        None,
    )
    _line("  throughput", f"{chars / cli_best[0] / 1e6:.1f} M chars/s", "", None)
    _line("cli / baseline", f"{ratio:.2f}×", f"goal ≤ {GOAL_CLI_RATIO}×", ok)
    return ok


def _latency() -> bool:
    from mediadesk.compliance import check_text

    assert len(COMMENT) == 70
    findings = check_text(COMMENT)
    for _ in range(2000):
        check_text(COMMENT)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(20000):
        started = clock()
        check_text(COMMENT)
        samples.append(clock() - started)
    samples.sort()
    p50 = samples[len(samples) // 2] / 1000
    p99 = samples[int(len(samples) * 0.99)] / 1000
    ok = p50 < GOAL_P50_US
    terms = ", ".join(f.term for f in findings)
    print(f"  comment: {len(COMMENT)} characters, findings: {terms}")
    _line(
        "check_text p50 (70-character comment)",
        f"{p50:.1f} µs (p99 {p99:.1f} µs)",
        f"goal < {GOAL_P50_US:.0f} µs",
        ok,
    )
    _line("  comments per second per core", f"{1e6 / p50:,.0f}", "", None)
    return ok


def _rss_100k() -> bool:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RSS_CHILD, str(BIG_LEXICON_TERMS), COMMENT],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    ok = data["rss_mb"] < GOAL_RSS_MB
    _line(
        f"RSS, {data['terms']:,}-term lexicon",
        f"{data['rss_mb']:.0f} MB (build {data['build_s']:.2f} s)",
        f"goal < {GOAL_RSS_MB:.0f} MB",
        ok,
    )
    return ok


def run() -> bool:
    print("quality")
    ok = _quality()
    print(f"speed: 20 MiB file, whole process, best of {ROUNDS}")
    with tempfile.TemporaryDirectory(prefix="mediadesk-bench-") as tmp:
        ok = _cli_vs_baseline(Path(tmp)) and ok
    print("latency")
    ok = _latency() and ok
    print("memory")
    ok = _rss_100k() and ok
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if run() else 1)
