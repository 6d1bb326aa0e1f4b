import os
import tempfile

import pytest
from django.test import Client

from tests.factories import PASSWORD, CustomerFactory, RegionFactory, make_user
from tests.support.browser import browser  # noqa: F401  (headless Chromium for every test)

# Tests never touch the developer's ./data directory.
os.environ.setdefault("ZHONGSHU_DATA_DIR", tempfile.mkdtemp(prefix="zhongshu-test-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in browser tests


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

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api_as():
    """``api_as(user)`` → a JSON client authenticated with a fresh Bearer token for ``user``."""
    return ApiClient


@pytest.fixture(autouse=True)
def _shipped_rules_off(request):
    """Switch the shipped default rules (zhongshu.rules, installed by a data migration) off for
    tests outside tests/rules.

    The default rule "available stock < ordered quantity → block submission" refuses to submit
    any order whose stock lines are short, which is not what tests of other apps are about. Tests
    under tests/rules manage the rules themselves; any other test that wants the shipped
    behaviour is marked ``@pytest.mark.default_rules``. Tests without database access are left
    alone.

    What data migrations ship (default rules, the roles' saved list views) is put back first if
    it is missing: a transactional test (browser tests, live server) empties every table when it
    ends, and the tests that run after it on the same worker would otherwise lose it.
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
    from zhongshu.listviews.defaults import install as install_views
    from zhongshu.listviews.models import SavedView
    from zhongshu.rules.defaults import install as install_rules
    from zhongshu.rules.models import Rule

    if not Rule.objects.exclude(builtin_key="").exists():
        install_rules(Rule)
    if not SavedView.objects.filter(shipped=True).exists():
        install_views(SavedView)
    if "tests/rules/" in str(request.node.path).replace("\\", "/"):
        return
    if request.node.get_closest_marker("default_rules"):
        return
    Rule.objects.exclude(builtin_key="").update(enabled=False)


@pytest.fixture
def client_as():
    """``client_as(user)`` → a browser-like test client logged in as ``user`` (Chinese UI)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
