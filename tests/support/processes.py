"""A real ``zhongshu worker`` in its own process, for the tests that kill it with SIGKILL and
start it again."""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def start_worker(tmp_path: Path, name: str, env: dict) -> subprocess.Popen:
    """``zhongshu worker --no-tasks`` named ``name``, its output in ``tmp_path/<name>.log``."""
    out = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "zhongshu.cli", "worker", "--no-tasks", "--worker-id", name],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
