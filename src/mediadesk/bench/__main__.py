"""Run every benchmark module in this package (or those named on the command line)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import mediadesk.bench as package


def main(argv: list[str]) -> int:
    names = argv or sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    failed = 0
    for name in names:
        if name.startswith("_"):
            continue
        module = importlib.import_module(f"mediadesk.bench.{name}")
        if not argv and not getattr(module, "RUN_BY_DEFAULT", True):
            print(f"\n=== bench: {name} — long; run it with python -m mediadesk.bench {name}")
            continue
        print(f"\n=== bench: {name} ===", flush=True)
        started = time.perf_counter()
        try:
            ok = module.run()
        except Exception as exc:
            print(f"bench {name} crashed: {exc!r}")
            ok = False
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
        if ok is False:
            failed += 1
    if failed:
        print(f"\n{failed} benchmark(s) missed their goal or crashed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
