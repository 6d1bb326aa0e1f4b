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
