"""The local HTTP servers the simulators of outside platforms (chat apps, channels, T+) run on.

One way to start and stop them: ``socketserver``'s default makes ``serve_forever`` look for a
stop request every half second, so every stop waited up to 0.5 s — with a simulator per test,
minutes of a test run spent waiting. Here the loop looks every 10 ms (an idle loop costs next to
nothing: it is a ``select`` with a timeout).
"""

import socketserver
import threading

POLL_SECONDS = 0.01


def serve_in_background(server: socketserver.BaseServer) -> threading.Thread:
    """Serve ``server`` on a daemon thread until ``stop_serving``."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread


def stop_serving(server: socketserver.BaseServer) -> None:
    """Stop the loop (at most one poll away) and free the port."""
    server.shutdown()
    server.server_close()
