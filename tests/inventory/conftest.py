import pytest
from django.db import connection, connections

from tests.factories import make_user, make_warehouse


@pytest.fixture
def warehouse(db):
    return make_warehouse("01", "成品库", is_default=True)


@pytest.fixture
def keeper(db):
    return make_user("warehouse", username="keeper")


@pytest.fixture
def sqlite_file_db(transactional_db, tmp_path):
    """Threads need a database they can really share. On SQLite the test database is in memory
    (one shared cache, table locks instead of busy waits), so point ``default`` at a migrated
    file for the test; PostgreSQL needs nothing."""
    from django.conf import settings
    from django.core.management import call_command

    if connection.vendor != "sqlite":
        yield
        return
    old = connection.settings_dict["NAME"]
    path = str(tmp_path / "concurrency.sqlite3")
    # Django never really closes an in-memory SQLite connection (closing the last one would drop
    # the database), so park it, open the file in its place, and put it back afterwards.
    parked = connection.connection
    connection.connection = None
    # new threads build their connection from ``connections.settings``, which need not be the
    # same dict as the main thread's ``settings_dict``: point all of them at the file
    targets = {id(d): d for d in (settings.DATABASES["default"], connection.settings_dict,
                                  connections.settings["default"])}.values()  # fmt: skip
    for d in targets:
        d["NAME"] = path
    call_command("migrate", verbosity=0, interactive=False)
    try:
        yield
    finally:
        if connection.connection is not None:
            connection.connection.close()
        connection.connection = parked
        for d in targets:
            d["NAME"] = old


@pytest.fixture(autouse=True)
def english():
    """Assertions here compare English messages; pages are asked for in English too."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and slow for the many test users made here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
