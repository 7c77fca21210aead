"""``mediadesk simulator``: serve the simulated platforms until Ctrl-C or SIGTERM.

    mediadesk simulator --host 127.0.0.1 --port 8001 --app wx0123456789abcdef:SECRET \\
        [--app …] [--unverified APPID] [--subscription APPID] \\
        [--weibo-app KEY:SECRET[:safe.domain,…]] [--douyin-app KEY:SECRET] \\
        [--callback URL --callback-token TOKEN [--aes-key KEY43]] \\
        [--publish-delay SECONDS] [--threads N] [--config FILE.toml|FILE.json]

Settings from ``--config`` come first; flags override scalars and add to lists. Prints
``ready on http://HOST:PORT`` once listening.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from .config import ConfigError, config_from_mapping, load_file


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mediadesk simulator",
        description="Serve simulated WeChat Official Account, Weibo and Douyin APIs.",
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8001; 0 picks a free one)")
    p.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="APPID:SECRET",
        help="a WeChat Official Account (verified service account by default)",
    )
    p.add_argument(
        "--unverified",
        action="append",
        default=[],
        metavar="APPID",
        help="make this app an unverified account (48001 on publish/mass/…)",
    )
    p.add_argument(
        "--subscription",
        action="append",
        default=[],
        metavar="APPID",
        help="make this app a subscription account (one mass send a day)",
    )
    p.add_argument(
        "--weibo-app",
        action="append",
        default=[],
        metavar="KEY:SECRET[:DOMAINS]",
        help="a Weibo app; DOMAINS is its comma-separated safe-domain list",
    )
    p.add_argument(
        "--douyin-app", action="append", default=[], metavar="KEY:SECRET", help="a Douyin app"
    )
    p.add_argument("--callback", metavar="URL", help="where WeChat pushes go")
    p.add_argument("--callback-token", metavar="TOKEN", help="token that signs pushes")
    p.add_argument("--aes-key", metavar="KEY", help="EncodingAESKey (43 chars): safe mode")
    p.add_argument(
        "--publish-delay",
        type=float,
        metavar="SECONDS",
        help="seconds until publish and mass-send jobs finish (default 2)",
    )
    p.add_argument("--threads", type=int, help="worker threads (default 16)")
    p.add_argument("--config", metavar="FILE", help="TOML or JSON file with the same settings")
    return p


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """File settings overlaid with command-line flags."""
    data: dict[str, Any] = load_file(args.config) if args.config else {}
    data = {k.replace("-", "_"): v for k, v in data.items()}
    for key in (
        "host",
        "port",
        "callback",
        "callback_token",
        "aes_key",
        "publish_delay",
        "threads",
    ):
        value = getattr(args, key)
        if value is not None:
            data[key] = value
    for key in ("app", "unverified", "subscription", "weibo_app", "douyin_app"):
        extra = getattr(args, key)
        if extra:
            current = data.get(key, data.get(f"{key}s", []))
            current = current if isinstance(current, list) else [current]
            data.pop(f"{key}s", None)
            data[key] = [*current, *extra]
    return data


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = config_from_mapping(settings_from(args))
    except ConfigError as exc:
        print(f"mediadesk simulator: {exc}", file=sys.stderr)
        return 2
    if not (config.apps or config.weibo_apps or config.douyin_apps):
        print("mediadesk simulator: no apps configured (use --app APPID:SECRET)", file=sys.stderr)

    from .server import Simulator

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # injected latency queues work
    simulator = Simulator(config)
    try:
        base_url = simulator.start()
    except OSError as exc:
        print(
            f"mediadesk simulator: cannot listen on {config.host}:{config.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(f"ready on {base_url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        simulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("mediadesk simulator: stopped", file=sys.stderr, flush=True)
    return 0
