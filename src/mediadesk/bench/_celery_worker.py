"""A Celery worker for the publishing bench that counts what it spends.

``python -m mediadesk.bench._celery_worker STATS_FILE <celery worker arguments>`` runs the
ordinary worker (``mediadesk.celery_app``, the same task code) with the query counter of
:mod:`mediadesk.bench._probe` installed, and writes on shutdown the CPU seconds and queries it
used between ``worker_ready`` and its shutdown to ``STATS_FILE`` (JSON).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")


def main(argv: list[str]) -> int:
    import django

    from mediadesk.bench import _probe

    _probe.install()
    django.setup()
    from celery import signals

    from mediadesk.celery_app import app

    stats_file = Path(argv[0])
    start: dict[str, float] = {}

    def ready(**kwargs: Any) -> None:
        start.update(_probe.snapshot())

    def shutdown(**kwargs: Any) -> None:
        end = _probe.snapshot()
        figures = {k: end[k] - start.get(k, 0.0) for k in end}
        stats_file.write_text(json.dumps(figures))
        _probe.dump_templates(f"celery worker {os.getpid()}")

    signals.worker_ready.connect(ready, weak=False)
    signals.worker_shutdown.connect(shutdown, weak=False)
    app.worker_main(["worker", *argv[1:]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
