import os
import time
from collections.abc import Sequence
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zhongshu.core import demo

from ._server import default_workers, run


class Command(BaseCommand):
    help = "Set up a demo factory (first run only) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--no-serve", action="store_true", help="seed and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        out = self.stdout
        out.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        ctx = demo.seed_demo(out)
        if ctx is None:
            out.write("The database already has data: keeping it as it is.")
        else:
            out.write(f"Demo data created in {time.monotonic() - started:.0f} s.")
        if opts["no_serve"]:
            self._print_logins(None)
            return
        # links in the demo's messages point at this server (notify reads it)
        shown = "127.0.0.1" if opts["host"] in ("0.0.0.0", "::") else opts["host"]
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://{shown}:{opts['port']}")
        services = self._start_services(opts["host"])
        self._print_logins(f"http://{opts['host']}:{opts['port']}/", services)
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
            run(
                host=opts["host"],
                port=opts["port"],
                workers=max(1, opts["workers"]),
                threads=4,
                access_log=False,
            )
        finally:
            for _name, _url, stop in services:
                try:
                    stop()
                except Exception as exc:  # shutting down: report, keep stopping the others
                    self.stderr.write(f"stopping {_name}: {exc}")

    def _start_services(self, host: str) -> list[Any]:
        started = []
        for start in demo.demo_services():
            try:
                started.append(start(host))
            except Exception as exc:  # a simulator that cannot start must not stop the demo
                self.stderr.write(f"could not start {getattr(start, '__name__', start)}: {exc}")
        return started

    def _print_logins(self, url: str | None, services: Sequence[Any] = ()) -> None:
        out = self.stdout
        rows = demo.demo_logins()
        out.write("")
        if url:
            out.write(self.style.SUCCESS(f"Zhongshu demo: {url}"))
        for name, service_url, _stop in services:
            out.write(f"  {name}: {service_url}")
        if rows:
            out.write(f"Logins (password for all: {demo.DEMO_PASSWORD})")
            width = max(len(r[0]) for r in rows)
            roles_width = max(len(r[1]) for r in rows)
            out.write(f"  {'user'.ljust(width)}  {'roles'.ljust(roles_width)}  regions")
            for username, roles, regions in rows:
                out.write(f"  {username.ljust(width)}  {roles.ljust(roles_width)}  {regions}")
        out.write("")
        out.flush()
