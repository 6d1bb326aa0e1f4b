"""The 1.5 KB spreadsheet (cells A1 and XFD150000) sent to the real server, once read in the request
and once by the real background worker: both refuse it with a message and both still answer."""

import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.db import sqlite_template
from tests.support.net import free_port as _free_port
from tests.support.sheets import hostile_xlsx

WAIT = 90


def _wait_for(base):
    deadline = time.monotonic() + 300  # a loaded machine starts slowly
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"{base}/api/v1/openapi.json", timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
    pytest.fail("server did not start")


@pytest.mark.slow
def test_the_hostile_file_takes_down_neither_the_server_nor_the_worker(tmp_path):
    env = {
        **os.environ,
        "ZHONGSHU_DATA_DIR": str(tmp_path),
        "IMPORT_BACKGROUND_BYTES": "1024",  # files larger than 1 KB go to the worker
        "IMPORT_MAX_BYTES": str(20 * 1024 * 1024),
    }
    env.pop("DATABASE_URL", None)
    env.pop("TASKS_BACKEND", None)
    zhongshu = [sys.executable, "-m", "zhongshu.cli"]
    shutil.copyfile(sqlite_template(), tmp_path / "zhongshu.sqlite3")  # migrated once per run
    subprocess.run(
        [
            *zhongshu,
            "adduser",
            "east",
            "--role",
            "sales",
            "--region",
            "华东",
            "--password",
            "Hostile-file-9",
        ],
        env=env,
        check=True,
        timeout=120,
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*zhongshu, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [*zhongshu, "worker", "--no-jobs", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(base)
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": "east", "password": "Hostile-file-9"},
            timeout=10,
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        content = hostile_xlsx()
        assert 1024 < len(content) < 2000
        resp = httpx.post(
            f"{base}/api/v1/imports",
            data={"kind": "orders"},
            files={"file": ("h.xlsx", content)},
            headers=auth,
            timeout=60,
        )
        assert resp.status_code == 201, resp.text
        batch_id = resp.json()["id"]
        deadline = time.monotonic() + WAIT
        status = None
        while time.monotonic() < deadline:
            batch = httpx.get(f"{base}/api/v1/imports/{batch_id}", headers=auth, timeout=10)
            status = batch.json()["status"]
            if status != "validating":
                break
            time.sleep(0.3)
        assert status == "failed", batch.text
        assert "150,000" in batch.json()["message"]
        # and both still answer
        assert worker.poll() is None
        assert httpx.get(f"{base}/api/v1/me", headers=auth, timeout=10).status_code == 200
    finally:
        for proc in (server, worker):
            proc.terminate()
        for proc in (server, worker):
            proc.wait(timeout=60)
