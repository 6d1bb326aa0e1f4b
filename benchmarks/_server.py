"""Start and stop the real server (`zhongshu serve`) for a benchmark run."""

import signal
import subprocess
import sys
import time
from pathlib import Path


def start_server(port: int, env: dict, *, workers: int, log_name: str) -> subprocess.Popen:
    import httpx

    log_path = Path(env["ZHONGSHU_DATA_DIR"]) / log_name
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhongshu.cli", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace").splitlines()[-15:]
            raise SystemExit(f"the server exited with {proc.returncode}:\n" + "\n".join(tail))
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not start within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
