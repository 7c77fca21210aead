"""The ``mediadesk simulator`` command contract, in a real subprocess."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mediadesk.platforms.simulator.cli import main
from mediadesk.platforms.simulator.config import ConfigError, config_from_mapping

READY = re.compile(r"^ready on (http://127\.0\.0\.1:(\d+))$")


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mediadesk",
            "simulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        match = READY.match(line)
        assert match, (
            f"unexpected first line {line!r}; stderr: {proc.stderr.read() if proc.stderr else ''}"
        )
        assert int(match.group(2)) > 0
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_cli_serves_until_sigterm() -> None:
    with running("--app", "wxcli0000000000001:cli-secret", "--publish-delay", "0.5") as (proc, url):
        r = httpx.get(
            f"{url}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": "wxcli0000000000001",
                "secret": "cli-secret",
            },
        )
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json; encoding=utf-8"
        assert r.json()["expires_in"] == 7200
        assert httpx.get(f"{url}/_sim/health").json()["wechat_apps"] == ["wxcli0000000000001"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_cli_reads_secrets_from_a_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "sim.toml"
    cfg.write_text(
        "publish_delay = 1\n"
        'unverified = ["wxcfg00000000000002"]\n'
        '[[app]]\nappid = "wxcfg00000000000001"\nsecret = "from-file"\n'
        '[[app]]\nappid = "wxcfg00000000000002"\nsecret = "other"\n'
        '[[weibo_app]]\nkey = "111"\nsecret = "wb"\nsafe_domains = ["mediadesk.example"]\n',
        encoding="utf-8",
    )
    with running("--config", str(cfg), "--douyin-app", "dykey:dysecret") as (proc, url):
        health = httpx.get(f"{url}/_sim/health").json()
        assert health["wechat_apps"] == ["wxcfg00000000000001", "wxcfg00000000000002"]
        assert health["weibo_apps"] == ["111"] and health["douyin_apps"] == ["dykey"]
        token = httpx.get(
            f"{url}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": "wxcfg00000000000002",
                "secret": "other",
            },
        ).json()["access_token"]
        r = httpx.post(
            f"{url}/cgi-bin/freepublish/batchget",
            params={"access_token": token},
            json={"offset": 0, "count": 1},
        )
        assert r.json()["errcode"] == 48001  # --unverified from the file
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0


def test_cli_rejects_bad_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", "no-colon"]) == 2
    assert "ID:SECRET" in capsys.readouterr().err
    assert main(["--app", "wx1:s", "--unverified", "wx2"]) == 2
    assert "no such app" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"app": ["wx1:s"], "colour": "blue"}), encoding="utf-8")
    assert main(["--config", str(bad)]) == 2
    assert "colour" in capsys.readouterr().err


def test_config_accepts_tables_and_strings() -> None:
    config = config_from_mapping(
        {
            "apps": ["wxa:sa", {"appid": "wxb", "secret": "sb", "account_type": "subscription"}],
            "callback": "http://127.0.0.1:9/cb",
            "callback_token": "tok",
            "aes_key": "k" * 43,
            "weibo_app": ["key:secret:a.example,b.example"],
            "quotas": {"/cgi-bin/draft/add": 5},
        }
    )
    assert [a.appid for a in config.apps] == ["wxa", "wxb"]
    assert config.apps[1].account_type == "subscription"
    assert config.callback and config.callback.aes_key == "k" * 43
    assert config.weibo_apps[0].safe_domains == ["a.example", "b.example"]
    assert config.quotas == {"/cgi-bin/draft/add": 5}
    with pytest.raises(ConfigError):
        config_from_mapping({"callback": "http://x/cb", "aes_key": "short"})
    with pytest.raises(ConfigError):
        config_from_mapping({"aes_key": "k" * 43})


def test_the_simulator_does_not_need_django() -> None:
    code = (
        "import sys, mediadesk.platforms.simulator as s, mediadesk.platforms.simulator.cli; "
        "s.Simulator(); print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
