"""Run the WSGI application under gunicorn, configured from Python rather than a config file."""

import os
import sys
from collections.abc import Callable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    if os.environ.get("WEB_CONCURRENCY"):
        return max(1, int(os.environ["WEB_CONCURRENCY"]))
    # Threads do most of the concurrency; two processes survive one being recycled.
    return 2


class ZhongshuServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, options: dict[str, Any], on_exit: Callable[[], None] | None = None) -> None:
        self.options = options
        self.on_exit_callback = on_exit
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> WSGIHandler:
        from zhongshu.wsgi import application

        return application


def run(*, host: str, port: int, workers: int, threads: int, access_log: bool) -> None:
    """Serve until SIGINT/SIGTERM; workers finish their requests first (graceful_timeout)."""
    from django.db import connections

    # Connections opened by the management command must not be shared with forked workers.
    connections.close_all()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 30,
        "keepalive": 5,
        # recycle workers now and then so a slow leak can never take the server down
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "zhongshu",
        # several instances on one host must not fight over gunicorn's shared control socket
        "control_socket_disable": True,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    }
    argv = sys.argv
    sys.argv = argv[:1]  # gunicorn must not read our own options
    try:
        ZhongshuServer(options).run()
    finally:
        sys.argv = argv
