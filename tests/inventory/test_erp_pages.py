"""The reconciliation (page and API), retrying, the connection settings and the master data pull."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import MaterialFactory, make_user
from zhongshu.core import crypto
from zhongshu.inventory import posting, tplus
from zhongshu.inventory.models import ErpConnection, ErpPosting
from zhongshu.inventory.services import stock_receive


def _login(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def failed_posting(sim, flange, keeper):
    other = MaterialFactory(code="NOT-IN-TPLUS")
    stock_receive(actor=keeper, material=other.code, quantity="5")
    posting.drain()
    return ErpPosting.objects.get(status="failed")


def test_reconciliation_api_lists_figures_failures_and_differences(
    api_as, sim, flange, keeper, failed_posting
):
    stock_receive(actor=keeper, material="FL-50", quantity="2")
    sim.manual_change("01", "FL-50", -1, who="王会计")
    tplus.tplus_sync()
    body = api_as(keeper).get("/api/v1/inventory/reconciliation").json()
    row = next(r for r in body["items"] if r["material"] == "FL-50")
    figures = [Decimal(row[k]) for k in ("on_hand", "tplus_on_hand", "unposted", "unexplained")]
    assert figures == [11, 9, 2, -1]
    assert row["pending_documents"] == 1
    failed = body["failed"][0]
    assert failed["external_code"] == failed_posting.external_code
    assert "NOT-IN-TPLUS" in failed["message"] and failed["status"] == "failed"
    assert body["differences"][0]["erp_modified_by"] == "王会计"
    assert body["connection"]["failed"] == 1


def test_retry_over_the_api_and_permissions(api_as, failed_posting, sim, keeper):
    sales = make_user("sales", username="s1")
    assert api_as(sales).get("/api/v1/inventory/reconciliation").status_code == 403
    url = f"/api/v1/inventory/postings/{failed_posting.pk}/retry"
    assert api_as(sales).post(url, {}).status_code == 403
    sim.set_stock("01", "NOT-IN-TPLUS", 0)
    r = api_as(keeper).post(url, {})
    assert (r.status_code, r.json()["status"]) == (200, "pending")
    assert posting.drain().posted == 1
    assert api_as(keeper).post(url, {}).json()["code"] == "already_posted"
    assert api_as(keeper).post("/api/v1/inventory/postings/999999/retry", {}).status_code == 404


def test_reconciliation_page_shows_the_message_and_retries(failed_posting, keeper):
    client = _login(keeper)
    html = client.get("/inventory/reconciliation/").content.decode()
    assert failed_posting.external_code in html and "NOT-IN-TPLUS" in html
    r = client.post(f"/inventory/reconciliation/postings/{failed_posting.pk}/retry/")
    assert r.status_code == 302
    failed_posting.refresh_from_db()
    assert failed_posting.status == "pending"


def test_connection_settings_encrypt_secrets_and_test_the_connection(sim, settings, db):
    admin = make_user("admin", username="adm")
    settings.TPLUS_BASE_URL = ""
    client = _login(admin)
    r = client.post("/inventory/erp/", {"base_url": sim.url, "app_key": "k1",
                                        "app_secret": "s1", "open_token": "t1"})  # fmt: skip
    assert r.status_code == 302
    row = ErpConnection.objects.get(pk=1)
    assert row.app_secret != "s1" and crypto.decrypt(row.app_secret) == "s1"
    html = client.get("/inventory/erp/").content.decode()
    # (as whole words: a CSRF token's random letters may contain "s1")
    shown = html.replace(sim.url, "")
    assert not re.search(r"(?<![A-Za-z0-9])(s1|t1)(?![A-Za-z0-9])", shown)
    client.post("/inventory/erp/", {"action": "test"})
    html = client.get("/inventory/erp/").content.decode()
    assert "Connection OK" in html
    sim.mode = "expired"
    client.post("/inventory/erp/", {"action": "test"})
    html = client.get("/inventory/erp/").content.decode()
    assert "Failed: HTTP 401" in html and 'id="erp-auth-alert"' in html
    assert _login(make_user("warehouse", username="wh2")).get("/inventory/erp/").status_code == 403


def test_master_pull_lists_codes_on_one_side_only(api_as, sim, flange, customer_east):
    admin = make_user("admin", username="adm")
    sim.set_stock("01", "ONLY-TPLUS", 1, "T+ 独有件")
    MaterialFactory(code="ONLY-HERE")
    r = api_as(admin).post("/api/v1/inventory/erp/master/pull", {})
    assert r.status_code == 200 and r.json()["material"] == 2
    body = api_as(admin).get("/api/v1/inventory/erp/master").json()
    assert ["ONLY-TPLUS", "T+ 独有件"] in body["material"]["tplus_only"]
    assert "ONLY-HERE" in body["material"]["local_only"]
    assert ["FL-50", "FL-50", "FL-50"] in body["material"]["mapped"]
    assert customer_east.code in [m[0] for m in body["customer"]["mapped"]]
    sim.mode = "down"
    r = api_as(admin).post("/api/v1/inventory/erp/master/pull", {})
    assert (r.status_code, r.json()["code"]) == (503, "erp_unavailable")
