"""`mediadesk run` as a newcomer uses it: start, serve, stop with Ctrl-C, start again."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

STARTUP_LIMIT_S = 120


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(
    data_dir: Path, *, ignore_sigint: bool = False
) -> tuple[subprocess.Popen, str, list[str]]:
    env = {**os.environ, "MEDIADESK_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediadesk", "run", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignore_sigint if ignore_sigint else None,
    )
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        match = re.search(r"running on (http://\S+)", line)
        if match:
            return proc, match.group(1), lines
    proc.kill()
    pytest.fail("mediadesk run did not come up:\n" + "\n".join(lines))


def _stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out


def _count_users(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "mediadesk.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM orgs_user").fetchone()[0]


def test_run_serves_the_login_page_and_schema_then_stops_cleanly(tmp_path):
    proc, url, lines = _start(tmp_path)
    try:
        assert any("Demo#2026md" in line for line in lines), "demo logins are printed"
        login = httpx.get(f"{url}/login/")
        assert login.status_code == 200 and "mediadesk" in login.text
        assert httpx.get(f"{url}/api/v1/openapi.json").json()["info"]["title"] == "mediadesk API"
        simulator = next(
            re.search(r"simulator on (http://\S+)", x) for x in lines if "simulator on" in x
        )
        assert httpx.get(f"{simulator.group(1)}/_sim/health").status_code == 200
    finally:
        code, out = _stop(proc)
    assert code == 0, out
    assert "Traceback" not in out
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_running_again_keeps_the_data_and_does_not_duplicate_the_demo(tmp_path):
    proc, _, _ = _start(tmp_path)
    _stop(proc)
    first = _count_users(tmp_path)
    proc, _, _ = _start(tmp_path)
    _stop(proc)
    assert _count_users(tmp_path) == first >= 11


def test_ctrl_c_stops_it_even_when_started_in_the_background(tmp_path):
    """A non-interactive shell starts background jobs with SIGINT ignored."""
    proc, _, _ = _start(tmp_path, ignore_sigint=True)
    code, out = _stop(proc)
    assert code == 0 and "stopped" in out
