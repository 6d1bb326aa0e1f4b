"""A session cookie no session key can look like (a NUL in it, say) is no session: every page and
API answer stays what it would be without it, never a 500 (on PostgreSQL the lookup itself fails)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BAD = ["abcd\x00efghijk", "\x00" * 40, "ABCDEFGH-not-a-key", "x" * 200]


@pytest.mark.parametrize("cookie", BAD)
def test_a_malformed_session_cookie_is_no_session(cookie):
    client = Client(raise_request_exception=False)
    header = {"HTTP_COOKIE": f"sessionid={cookie}"}
    api = client.post("/api/v1/orders/-1/transitions", {"action": "ship"},
                      content_type="application/json", **header)  # fmt: skip
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get("/api/v1/inventory/shipments/-1", **header).status_code == 404
    assert client.get("/no-such-page/", **header).status_code == 404
    # a page behind the sign-in sends the reader to sign in, as with no cookie at all
    assert client.get("/orders/", **header).status_code == 302


def test_a_real_session_still_signs_in(client_as, sales_east):
    assert client_as(sales_east).get("/orders/").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/channels/carriers", "/orders/"])
def test_a_nul_in_the_query_string_is_refused_before_any_filter(client_as, path):
    from tests.factories import make_user

    client = client_as(make_user("admin"))
    answer = client.get(path, {"channel": "\x00", "q": "a\x00b"})
    assert answer.status_code in (400, 422)
    if path.startswith("/api/"):
        assert {e["field"] for e in answer.json()["details"]["errors"]} == {"channel", "q"}
