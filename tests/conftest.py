import os
import tempfile

import pytest
from django.test import Client

from tests.factories import PASSWORD, CustomerFactory, RegionFactory, make_user
from tests.support.browser import browser  # noqa: F401  (headless Chromium for every test)
from tests.support.db import (
    end_other_sessions,
    migrations_from_template,
    sqlite_file_db,  # noqa: F401  (a migrated SQLite file for a test)
)
from tests.support.shipped import keep_shipped_data, remember_shipped_data

# Tests never touch the developer's ./data directory.
os.environ.setdefault("ZHONGSHU_DATA_DIR", tempfile.mkdtemp(prefix="zhongshu-test-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in browser tests
# On PostgreSQL a test's commit need not wait for its WAL to reach the disk: libpq passes this to
# every connection the tests (and the processes they start) open. Nothing else changes — a
# crash of the database server itself is not something the tests survive anyway.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")


def pytest_collection_modifyitems(config, items):
    """Modules with a slow test (``@pytest.mark.slow``) run first, the rest in their order.
    ``./zs test`` keeps a module on one worker: a slow module handed out last kept one worker
    busy for a minute after the other had finished."""
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's test databases, but migrated once per set of migrations and copied from
    then on (tests/support/db.py), with what data migrations ship kept across the transactional
    tests that empty every table (tests/support/shipped.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    keep_shipped_data()
    options = {}
    if not django_db_use_migrations:
        _disable_migrations()
    if django_db_keepdb and not django_db_createdb:
        options["keepdb"] = True
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock(), migrations_from_template():
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            **options,
        )
        for alias in aliases:
            remember_shipped_data(alias)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            end_other_sessions()
            teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Argon2 is right for production and costs a third of a second per test user: every test
    hashes with MD5 (a test may still switch hashers through ``settings``)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_found_per_request():
    """Every test client builds the middleware anew, and WhiteNoise, serving the apps' static
    files from their folders (``WHITENOISE_USE_FINDERS``), walked and stat-ed all of them each
    time: a tenth of the suite's CPU. In tests it looks a file up when one is asked for
    (``WHITENOISE_AUTOREFRESH``), which serves the same files; the server keeps its one walk at
    start-up."""
    from django.test import override_settings

    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_login_failure_delay():
    """From the third failed login in a row the server waits LOGIN_FAILURE_DELAY (0.5 s) before
    answering; the lockout tests fail six in a row, dozens of times. Only the test of the delay
    itself (tests/accounts/test_login_security.py) turns it back on."""
    from django.test import override_settings

    with override_settings(LOGIN_FAILURE_DELAY=0):
        yield


@pytest.fixture
def east(db):
    return RegionFactory(name="华东")


@pytest.fixture
def north(db):
    return RegionFactory(name="华北")


@pytest.fixture
def admin_user(db):
    return make_user("admin", username="admin")


@pytest.fixture
def sales_east(east):
    return make_user("sales", regions=("华东",), username="sales_east")


@pytest.fixture
def sales_north(north):
    return make_user("sales", regions=("华北",), username="sales_north")


@pytest.fixture
def planner(db):
    return make_user("planner", username="planner")


@pytest.fixture
def customer_east(east):
    return CustomerFactory(code="C-EAST", name="苏州精工机械", region=east)


@pytest.fixture
def customer_north(north):
    return CustomerFactory(code="C-NORTH", name="天津重工", region=north)


class ApiClient:
    """Django's test client speaking JSON with a Bearer token, as an integration would."""

    def __init__(self, user=None, token: str | None = None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            r = self.client.post(
                "/api/v1/auth/token",
                {"username": user.username, "password": PASSWORD},
                content_type="application/json",
            )
            assert r.status_code == 200, r.content
            token = r.json()["token"]
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method, path, data=None, headers=None, **kw):
        fn = getattr(self.client, method)
        all_headers = {**self.headers, **(headers or {})}
        if method in ("get", "delete"):
            return fn(path, data, headers=all_headers, **kw)
        return fn(path, data, content_type="application/json", headers=all_headers, **kw)

    def get(self, path, data=None, **kw):
        return self._call("get", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self._call("patch", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self._call("put", path, data, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api_as():
    """``api_as(user)`` → a JSON client authenticated with a fresh Bearer token for ``user``."""
    return ApiClient


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language (zh-hans): a request of an earlier test on this
    worker (Accept-Language: en) leaves its language active in the thread, and texts a service
    stores (an approval's reason) would come out in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _shipped_rules_off(request):
    """Switch the shipped default rules (zhongshu.rules, installed by a data migration) off for
    tests outside tests/rules.

    The default rule "available stock < ordered quantity → block submission" refuses to submit
    any order whose stock lines are short, which is not what tests of other apps are about. Tests
    under tests/rules manage the rules themselves; any other test that wants the shipped
    behaviour is marked ``@pytest.mark.default_rules``. Tests without database access are left
    alone.

    What data migrations ship (default rules, the roles' saved list views) is there for every
    test: a transactional test (browser tests, live server) empties every table when it ends,
    and tests/support/shipped.py puts the shipped rows back right then.
    """
    db_fixtures = [
        name
        for name in ("transactional_db", "django_db_reset_sequences", "live_server", "db")
        if name in request.fixturenames
    ]
    if db_fixtures:
        request.getfixturevalue(db_fixtures[0])  # set up before this fixture touches the database
    elif not request.node.get_closest_marker("django_db"):
        return
    from zhongshu.rules.models import Rule

    if "tests/rules/" in str(request.node.path).replace("\\", "/"):
        return
    if request.node.get_closest_marker("default_rules"):
        # the shipped rules as shipped (present and on), whatever an earlier test of this worker
        # left in a table it did not empty
        from zhongshu.rules.defaults import install

        install(Rule)
        Rule.objects.exclude(builtin_key="").filter(enabled=False).update(enabled=True)
        return
    Rule.objects.exclude(builtin_key="").update(enabled=False)


@pytest.fixture(autouse=True)
def _shipped_flow_off(request, _shipped_rules_off):
    """Switch the shipped approval flow (urgent orders wait for a manager's approval, installed by
    zs approvals 0002) off for tests not marked ``@pytest.mark.shipped_flow``.

    With it on, confirming an urgent order — or one due sooner than its lead time — is refused
    until a manager approves, which is not what tests of other apps are about; tests of that
    behaviour (tests/approvals/test_shipped_flow.py, the expedite tests) carry the marker and
    get the flow as shipped, whatever an earlier test left.
    """
    if not any(
        name in request.fixturenames
        for name in ("transactional_db", "django_db_reset_sequences", "live_server", "db")
    ) and not request.node.get_closest_marker("django_db"):
        return
    from zhongshu.approvals.defaults import install
    from zhongshu.approvals.models import Flow, FlowStep

    if request.node.get_closest_marker("shipped_flow"):
        install(Flow, FlowStep)
        Flow.objects.exclude(builtin_key="").update(active=True)
        return
    Flow.objects.exclude(builtin_key="").update(active=False)


@pytest.fixture
def client_as():
    """``client_as(user)`` → a browser-like test client logged in as ``user`` (Chinese UI)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
