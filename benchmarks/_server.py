"""Start and stop the real server (`zhongshu serve`) for a benchmark run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# benchmarks/rules.py is named like the django-rules package Django loads: this directory goes to
# the end of the import path so ``import rules`` finds the package and ``import orders`` still works.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]


def start_server(
    port: int, env: dict, *, workers: int, log_name: str, threads: int = 4
) -> subprocess.Popen:
    """``zhongshu serve`` on ``port``, once it answers."""
    cmd = [sys.executable, "-m", "zhongshu.cli", "serve", "--port", str(port),
           "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
    return _start(cmd, env, log_name, f"http://127.0.0.1:{port}/api/v1/openapi.json")


def start_floor(
    port: int, env: dict, *, workers: int, log_name: str, threads: int = 4
) -> subprocess.Popen:
    """benchmarks/_bare_confirm.py's WSGI application under gunicorn, with the worker class,
    workers and threads ``zhongshu serve`` runs with: the HTTP floor beside the product."""
    cmd = [sys.executable, "-m", "gunicorn", "--chdir", _HERE, "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
           "_bare_confirm:application"]  # fmt: skip
    return _start(cmd, env, log_name, f"http://127.0.0.1:{port}/")


def _start(cmd: list[str], env: dict, log_name: str, probe: str) -> subprocess.Popen:
    import httpx

    log_path = Path(env["ZHONGSHU_DATA_DIR"]) / log_name
    proc = subprocess.Popen(cmd, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    # a loaded machine starts the workers slowly: BENCH_START_SECONDS waits longer
    wait = float(os.environ.get("BENCH_START_SECONDS", 60))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace").splitlines()[-15:]
            raise SystemExit(f"the server exited with {proc.returncode}:\n" + "\n".join(tail))
        try:
            httpx.get(probe, timeout=30)
            return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"the server did not start within {wait:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the server and its workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process on this machine (the server and its
    backends), from /proc: what the database spent, whoever asked."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1] == "postgres":
            # with the CPU of the children it reaped: backends of connections already closed
            fields = tail.split()
            total += sum(int(f) for f in fields[11:15])
    return total / tick


def start_worker(env: dict, *, log_name: str) -> subprocess.Popen:
    """`zhongshu worker` beside the server: the coalesced schedule reflows run there."""
    log = (Path(env["ZHONGSHU_DATA_DIR"]) / log_name).open("wb")
    cmd = [sys.executable, "-m", "zhongshu.cli", "worker", "--interval", "0.2"]
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
