"""Integers and dates out of bounds are refused before they reach a query, on every API route and
web page — the 500s the fuzzers found (year 0001/9999 dates, 2^63 integers on SQLite)."""

import pytest

from tests.factories import make_user
from zhongshu.core import bounds

pytestmark = pytest.mark.django_db

BIG = str(2**63)
API = [
    "/api/v1/orders?created_from=0001-01-01",
    "/api/v1/orders?created_from=9999-12-31",
    "/api/v1/inventory/movements?since=0001-01-01",
    "/api/v1/inventory/movements?until=9999-12-31",
    "/api/v1/finance/ageing?as_of=9999-12-31",
    "/api/v1/analytics/effect?start=0001-01-01&end=0003-01-01",
    "/api/v1/analytics/effect.xlsx?start=0001-01-01&end=9999-12-31",
    f"/api/v1/qc/plans?offset={BIG}",
    f"/api/v1/production/tasks?order_id={BIG}",
    f"/api/v1/approvals/requests?order_id={BIG}",
    f"/api/v1/channels/runs?account={BIG}",
    "/api/v1/orders/-1",
]
WEB = [
    "/orders/?created_to=9999-12-31",
    "/production/load/?start=9999-12-31",
    "/finance/statement/?start=0001-01-01",
]


@pytest.fixture
def admin():
    return make_user("admin", username="bounds-admin")


@pytest.mark.parametrize("url", API)
def test_the_api_refuses_extremes_in_the_json_error_shape(api_as, admin, url):
    r = api_as(admin).get(url)
    assert r.status_code in (404, 422), (url, r.status_code, r.content[:300])
    body = r.json()
    assert set(body) == {"code", "message", "details"}


@pytest.mark.parametrize("url", WEB)
def test_web_pages_refuse_extremes_without_a_server_error(client_as, admin, url):
    r = client_as(admin).get(url)
    assert r.status_code == 400, (url, r.status_code)


def test_a_body_with_an_extreme_date_or_integer_is_refused(api_as, admin):
    api = api_as(admin)
    r = api.post("/api/v1/planning/runs", {"today": "0002-01-01"})
    assert r.status_code == 422, r.content
    assert r.json()["details"]["errors"][0]["field"] == "today"
    r = api.post("/api/v1/orders", {"customer": "X", "lines": [{"quantity": 2**64}]})
    assert r.status_code == 422


def test_digits_in_a_search_are_text_not_a_number(api_as, admin):
    r = api_as(admin).get("/api/v1/orders", {"q": "4112345678901234567"})
    assert r.status_code == 200


@pytest.mark.parametrize("value", ["0", "-5", str(bounds.MAX_INT), "2026-02-03", "1900-01-01"])
def test_ordinary_values_pass(value):
    assert bounds.problem(value) is None


@pytest.mark.parametrize("pad", ["\x1c", "\x1d", "\x1e", "\x1f", "\u3000", " \t"])
def test_a_number_padded_with_what_python_takes_for_space_is_checked_not_a_server_error(
    api_as, admin, pad
):
    """A regular expression's ``\\s`` matches the information separators U+001C–U+001F, which
    ``int()`` refuses: a query value like "0\\x1f" reached ``int()`` and answered 500."""
    assert bounds.problem(f"{pad}3{pad}") is None
    assert bounds.problem(f"{pad}{bounds.MAX_INT + 1}{pad}") is not None
    r = api_as(admin).get("/api/v1/orders/export.xlsx", {"queue": f"0{pad}"})
    assert r.status_code in (200, 422), r.content[:300]


def test_404_405_and_413_on_the_api_are_in_the_json_shape(api_as, admin, settings):
    api = api_as(admin)
    r = api.client.put("/api/v1/auth/token", headers=api.headers)
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    r = api.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = api.post("/api/v1/orders", {"note": "x" * 5000})
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_a_nul_character_in_a_path_is_refused_before_the_database(api_as, admin):
    # PostgreSQL refuses NUL in any text: this was a 500 there
    r = api_as(admin).delete("/api/v1/notifications/apps/%00")
    assert r.status_code == 422, r.content[:300]
    assert r.json()["code"] == "validation_error"


def test_a_nul_in_a_body_never_reaches_the_database(api_as, admin):
    # a T+ master-data kind with a NUL was a 500 on PostgreSQL: unknown kinds are 404 first
    r = api_as(admin).post(
        "/api/v1/inventory/erp/master/map", {"code": "", "kind": "\u0000", "local_code": ""}
    )
    assert r.status_code == 404, r.content
