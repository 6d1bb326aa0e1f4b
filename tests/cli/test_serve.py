import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.db import sqlite_template


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_runs_the_app_and_its_static_files_and_stops_on_sigterm(tmp_path):
    # given a migrated embedded database
    env = {**os.environ, "ZHONGSHU_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    zhongshu = [sys.executable, "-m", "zhongshu.cli"]
    shutil.copyfile(sqlite_template(), tmp_path / "zhongshu.sqlite3")  # migrated once per run
    subprocess.run([*zhongshu, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = _free_port()
    # when
    proc = subprocess.Popen(
        [*zhongshu, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                api = httpx.get(f"{base}/api/v1/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start")
        # then the API answers and static files come from the collected directory
        assert api.status_code == 200
        assert api.json()["info"]["title"]
        static_files = [p for p in (tmp_path / "static").rglob("*.css") if p.is_file()]
        assert static_files
        rel = static_files[0].relative_to(tmp_path / "static").as_posix()
        assert httpx.get(f"{base}/static/{rel}", timeout=5).status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=40)
    # and it shuts down cleanly
    assert proc.returncode == 0
    assert b"Shutting down" in out
