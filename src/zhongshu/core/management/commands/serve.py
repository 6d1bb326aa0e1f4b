import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ._server import default_workers, run


class Command(BaseCommand):
    help = "Serve Zhongshu over HTTP with gunicorn (production ready; run behind nginx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="worker processes (default $WEB_CONCURRENCY or 2)",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
        parser.add_argument("--access-log", action="store_true", help="log every request")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        # the server runs beside `zhongshu worker`: the schedule reflows there, coalesced, not
        # in the requests (ZHONGSHU_REFLOW=inline keeps it in the requests)
        settings.PRODUCTION_REFLOW = os.environ.get("ZHONGSHU_REFLOW", "worker")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Zhongshu at http://{opts['host']}:{opts['port']}/  (Ctrl+C stops)")
        self.stdout.flush()
        run(
            host=opts["host"],
            port=opts["port"],
            workers=max(1, opts["workers"]),
            threads=max(1, opts["threads"]),
            access_log=opts["access_log"],
        )
