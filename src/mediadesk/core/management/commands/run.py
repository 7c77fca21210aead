"""``mediadesk run``: migrate, load the demo, start jobs and the simulator, serve with waitress."""

from __future__ import annotations

import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run mediadesk: web server, in-process job runner and local platform simulator."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
        parser.add_argument("--no-jobs", action="store_true", help="do not start the job runner")
        parser.add_argument("--no-simulator", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import create_server

        from mediadesk.wsgi import application

        call_command("check", deploy=False)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"database ready ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
        )
        if not options["no_demo"]:
            from mediadesk.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

            load_demo()
        stoppers = []
        if not options["no_simulator"]:
            stoppers.append(self._start_simulator())
        if not options["no_jobs"] and settings.MEDIADESK_JOB_BACKEND == "embedded":
            from mediadesk.jobs.runner import EmbeddedRunner

            runner = EmbeddedRunner()
            runner.start()
            stoppers.append(runner.stop)
            self.stdout.write(f"job runner started ({settings.MEDIADESK_JOB_WORKERS} threads)")

        server = create_server(
            application, host=options["host"], port=options["port"], threads=options["threads"]
        )
        url = f"http://{options['host']}:{server.effective_port}"
        if self._simulator is not None:
            self._connect_simulator(url)

        def _terminate(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # Also SIGINT: a shell that starts us in the background leaves it ignored, and Python
        # then never turns Ctrl-C into KeyboardInterrupt.
        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _terminate)
        try:
            self.stdout.write("")
            if not options["no_demo"]:
                self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
                for username, display, role, _scope, _home in DEMO_USERS:
                    label = role.label if role else "system administrator"
                    self.stdout.write(f"  {username:<9} {display}  ({label})")
            self.stdout.write(f"API docs: {url}/api/v1/docs   health: {url}/healthz")
            self.stdout.write(self.style.SUCCESS(f"mediadesk is running on {url}"))
            self.stdout.write("press Ctrl-C to stop")
            sys.stdout.flush()
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C while stopping must not cut the clean shutdown short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.stdout.write("stopping …")
            server.close()
            for stop in reversed(stoppers):
                if stop:
                    stop()
            self.stdout.write("stopped")

    _simulator: Any = None

    def _start_simulator(self) -> Any:
        """Start the local platform simulator in-process when it is installed in this build.

        Connections whose base URL is ``simulator:`` resolve to it through
        ``settings.MEDIADESK_SIMULATOR_URL``; their last known menus are given to it before
        the job runner starts (so the periodic menu fetch finds them).
        """
        try:
            from mediadesk.platforms.simulated import seed_menus
            from mediadesk.platforms.simulator.embedded import demo_config
            from mediadesk.platforms.simulator.server import Simulator
        except ImportError:
            return None
        self._simulator = Simulator(demo_config())
        base_url = self._simulator.start()
        settings.MEDIADESK_SIMULATOR_URL = base_url
        seed_menus(self._simulator)
        self.stdout.write(f"platform simulator on {base_url}")
        return self._simulator.stop

    def _connect_simulator(self, server_url: str) -> None:
        """Let the simulator push WeChat events to this server's callback endpoints, and
        connect the Weibo and Douyin accounts bound to it (it starts knowing no user token:
        its authorisation page consents at once, as their owners would)."""
        from mediadesk.platforms.simulated import authorise_accounts, connect_callbacks

        connect_callbacks(self._simulator, server_url)
        authorised = authorise_accounts(self._simulator, server_url)
        if authorised:
            self.stdout.write(f"Weibo/Douyin accounts authorised on the simulator: {authorised}")
