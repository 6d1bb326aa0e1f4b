"""Migrated databases built once and copied, instead of migrating again.

Running every migration takes half a minute of CPU, and a test run needed it once per worker per
database, plus once for each test that wants a real SQLite file (threads, worker processes, the
command line). The first run builds a template per set of migrations — a SQLite file, or a
PostgreSQL database created with ``TEMPLATE`` — and every later setup copies it:

- ``migrations_from_template()`` wraps the creation of the test databases (tests/conftest.py);
- ``sqlite_template()`` is the path of the migrated SQLite file, for tests that need a file;
- ``sqlite_file_db`` points ``default`` at a copy of it for one test.

The key is a hash of every installed app's migration files and the Django version, so a changed
or added migration builds a new template; ``ZS_TEST_DB_CACHE`` moves the cache (default
``.zs/test-db`` in the checkout). Templates hold exactly what the migrations wrote, data
migrations included.
"""

import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection, connections

REPO = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    path = Path(os.environ.get("ZS_TEST_DB_CACHE") or REPO / ".zs" / "test-db")
    path.mkdir(parents=True, exist_ok=True)
    return path


def migrations_key() -> str:
    """A hash of the migration files of every installed app and of the Django version."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(f"{app.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked(name: str):
    """One process at a time builds or copies a template (xdist workers start together)."""
    with open(cache_dir() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sqlite_path() -> Path:
    return cache_dir() / f"sqlite-{migrations_key()}.sqlite3"


def _save_sqlite(conn) -> None:
    conn.ensure_connection()
    fd, tmp = tempfile.mkstemp(dir=cache_dir(), suffix=".part")
    os.close(fd)
    dst = sqlite3.connect(tmp)
    conn.connection.backup(dst)
    dst.close()
    os.replace(tmp, _sqlite_path())


def sqlite_template() -> Path:
    """A migrated SQLite file (never write to it: copy it). Built by a ``migrate`` in a separate
    process when no test run has left one yet."""
    path = _sqlite_path()
    if path.exists():
        return path
    with _locked("sqlite"):
        if not path.exists():
            with tempfile.TemporaryDirectory() as data:
                env = {**os.environ, "ZHONGSHU_DATA_DIR": data}
                env.pop("DATABASE_URL", None)
                migrate = [sys.executable, "-m", "zhongshu.cli", "migrate", "-v0"]
                subprocess.run(migrate, env=env, check=True, timeout=600)
                shutil.copyfile(Path(data) / "zhongshu.sqlite3", path.with_suffix(".part"))
                os.replace(path.with_suffix(".part"), path)
    return path


def _pg_template_name() -> str:
    return f"zs_template_{migrations_key()}"


def _pg_exists(conn, name: str) -> bool:
    with conn._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _pg_copy(conn, source: str, target: str, *, drop_target: bool) -> None:
    """CREATE DATABASE target TEMPLATE source (nobody may be connected to either)."""
    quote = conn.ops.quote_name
    conn.close()
    with conn._nodb_cursor() as cursor:
        if drop_target:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
        cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")


def _from_template(conn) -> bool:
    """Fill the fresh test database of ``conn`` from the template; False when there is none."""
    if conn.vendor == "sqlite" and conn.is_in_memory_db():
        path = _sqlite_path()
        if not path.exists():
            return False
        conn.ensure_connection()
        src = sqlite3.connect(path)
        src.backup(conn.connection)
        src.close()
        return True
    if conn.vendor == "postgresql":
        template = _pg_template_name()
        if not _pg_exists(conn, template):
            return False
        _pg_copy(conn, template, conn.settings_dict["NAME"], drop_target=True)
        return True
    return False


def _to_template(conn) -> None:
    if conn.vendor == "sqlite" and conn.is_in_memory_db():
        _save_sqlite(conn)
    elif conn.vendor == "postgresql":
        template = _pg_template_name()
        _pg_copy(conn, conn.settings_dict["NAME"], f"{template}_part", drop_target=True)
        with conn._nodb_cursor() as cursor:
            quote = conn.ops.quote_name
            cursor.execute(
                f"ALTER DATABASE {quote(template + '_part')} RENAME TO {quote(template)}"
            )


@contextlib.contextmanager
def migrations_from_template():
    """While this is open, ``migrate`` on a test database copies the template of its migrations
    (and sends ``post_migrate`` as a real run does), or migrates and leaves a template behind."""
    from django.core.management.commands import migrate
    from django.core.management.sql import emit_post_migrate_signal

    original = migrate.Command.handle

    def handle(self, *args, **options):
        alias = options.get("database") or "default"
        conn = connections[alias]
        with _locked(conn.vendor):
            if _from_template(conn):
                emit_post_migrate_signal(0, False, alias)
                return
            original(self, *args, **options)
            _to_template(conn)

    migrate.Command.handle = handle
    try:
        yield
    finally:
        migrate.Command.handle = original


@pytest.fixture
def sqlite_file_db(transactional_db, tmp_path):
    """Threads and other processes need a database they can really share. On SQLite the test
    database is in memory (one shared cache, table locks instead of busy waits), so point
    ``default`` at a copy of the migrated template, ``tmp_path/zhongshu.sqlite3``, for the test
    and yield its path; PostgreSQL needs nothing (None)."""
    from django.conf import settings

    if connection.vendor != "sqlite":
        yield None
        return
    old = connection.settings_dict["NAME"]
    path = str(tmp_path / "zhongshu.sqlite3")
    shutil.copyfile(sqlite_template(), path)
    # Django never really closes an in-memory SQLite connection (closing the last one would drop
    # the database), so park it, open the file in its place, and put it back afterwards.
    parked = connection.connection
    connection.connection = None
    # new threads build their connection from ``connections.settings``, which need not be the
    # same dict as the main thread's ``settings_dict``: point all of them at the file
    targets = {
        id(d): d
        for d in (
            settings.DATABASES["default"],
            connection.settings_dict,
            connections.settings["default"],
        )
    }.values()
    for d in targets:
        d["NAME"] = path
    try:
        yield path
    finally:
        if connection.connection is not None:
            connection.connection.close()
        connection.connection = parked
        for d in targets:
            d["NAME"] = old


def end_other_sessions() -> None:
    """Before the test databases are dropped: end the sessions other threads left open on them
    (a live server's request thread may still hold one when the session ends), which PostgreSQL
    would otherwise refuse to drop the database under."""
    for conn in connections.all():
        if conn.vendor != "postgresql":
            continue
        with conn._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [conn.settings_dict["NAME"]],
            )
