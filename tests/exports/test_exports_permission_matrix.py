"""The export permission matrix (SPEC §2, §8): every role × every export endpoint and page ×
own-region (华东) / other-region (华北) data, with the exact status. A refusal writes nothing; a
download writes exactly one export-log row and nothing else.

Expectations are written out by hand from SPEC §2 (whoever may see a list may export it, in
their own scope; the reconciliation statement is for finance, sales (own regions), managers and
admins), not derived from ``permissions.ACTION_ROLES``.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.exports.helpers import read_sheet, response_bytes
from tests.support.matrix import ROLES, bearer, expand, module_world
from tests.support.order_world import build_order_world
from tests.support.order_world import order_fingerprint as fingerprint
from zhongshu.accounts.models import ApiToken, ExportLog
from zhongshu.accounts.services import token_create_for
from zhongshu.api import api

world = module_world(build_order_world)  # the permission matrix's world (tests/accounts)

TODAY = timezone.localdate()
PERIOD = f"start={(TODAY - dt.timedelta(days=30)).isoformat()}&end={TODAY.isoformat()}"

#            admin manager sales planner supervisor operator qc warehouse purchasing finance
LIST_VIEWERS = "200 200 200 200 200 403 200 200 200 200"
EVERYONE = "200 200 200 200 200 200 200 200 200 200"
STOCK_VIEWERS = "200 200 200 200 200 403 403 200 200 200"
AUDITORS = "200 200 403 403 403 403 403 403 403 403"
RECON_OWN = "200 200 200 403 403 403 403 403 403 200"
RECON_OTHER = "200 200 404 403 403 403 403 403 403 200"

API = [
    # (id, path, expected)
    ("orders", "/api/v1/orders/export.xlsx", LIST_VIEWERS),
    ("orders.own", "/api/v1/orders/export.xlsx?customer={E_CUST}", LIST_VIEWERS),
    ("orders.other", "/api/v1/orders/export.xlsx?customer={N_CUST}", LIST_VIEWERS),
    ("customers", "/api/v1/customers/export.xlsx", LIST_VIEWERS),
    ("customers.other", "/api/v1/customers/export.xlsx?q={N_CUST}", LIST_VIEWERS),
    ("materials", "/api/v1/materials/export.xlsx", EVERYONE),
    ("stock", "/api/v1/inventory/levels/export.xlsx", STOCK_VIEWERS),
    ("shipments", "/api/v1/inventory/shipments/export.xlsx", LIST_VIEWERS),
    ("recon.own", "/api/v1/finance/reconciliation?customer={E_CUST}&" + PERIOD, RECON_OWN),
    ("recon.other", "/api/v1/finance/reconciliation?customer={N_CUST}&" + PERIOD, RECON_OTHER),
    (
        "recon.xlsx.own",
        "/api/v1/finance/reconciliation.xlsx?customer={E_CUST}&" + PERIOD,
        RECON_OWN,
    ),
    (
        "recon.xlsx.other",
        "/api/v1/finance/reconciliation.xlsx?customer={N_CUST}&" + PERIOD,
        RECON_OTHER,
    ),
]

WEB = [
    ("orders", "/orders/export.xlsx", LIST_VIEWERS),
    ("orders.own", "/orders/export.xlsx?customer={E_CUST}", LIST_VIEWERS),
    ("orders.other", "/orders/export.xlsx?customer={N_CUST}", LIST_VIEWERS),
    ("customers", "/customers/export.xlsx", LIST_VIEWERS),
    ("materials", "/materials/export.xlsx", EVERYONE),
    ("stock", "/inventory/export.xlsx", STOCK_VIEWERS),
    ("shipments", "/inventory/shipments/export.xlsx", LIST_VIEWERS),
    ("audit", "/audit/export.xlsx", AUDITORS),
    ("finance.page", "/finance/", RECON_OWN),
    ("finance.page.own", "/finance/?customer={E_CUST}&" + PERIOD, RECON_OWN),
    ("finance.page.other", "/finance/?customer={N_CUST}&" + PERIOD, RECON_OTHER),
    ("finance.xlsx.own", "/finance/statement.xlsx?customer={E_CUST}&" + PERIOD, RECON_OWN),
    ("finance.xlsx.other", "/finance/statement.xlsx?customer={N_CUST}&" + PERIOD, RECON_OTHER),
]

# What the sales user (华东 only) finds in a successful export: the other region never appears.
SALES_ROWS = {
    "orders.other": 0,
    "customers.other": 0,
    "shipments": 1,
    "customers": 1,
    "orders.own": 4,
    "orders": 4,
}


def _check(case, path, role, expected, response, before, logs_before):
    assert response.status_code == expected, response.content[:300]
    # nothing but the export log changes, and it changes only for a download
    assert fingerprint() == before
    is_download = expected == 200 and ".xlsx" in path
    assert ExportLog.objects.count() == logs_before + (1 if is_download else 0)
    if is_download:
        rows = read_sheet(response_bytes(response))
        log = ExportLog.objects.latest("id")
        assert log.user.username == f"m_{role}"
        if not case.startswith(("recon", "finance")):
            assert log.row_count == len(rows) - 1
        if role == "sales" and case in SALES_ROWS:
            assert log.row_count == SALES_ROWS[case]


@pytest.mark.parametrize("case,path,role,expected", expand(API, 2))
def test_api(world, db, case, path, role, expected):
    # given a user holding exactly one role (sales: 华东 only)
    before, logs = fingerprint(), ExportLog.objects.count()

    # when they call the export endpoint with their Bearer token
    response = Client().get(path.format(**world.ids), headers=bearer(world, role))

    # then the status is exactly SPEC §2's and only a download is logged
    _check(case, path, role, expected, response, before, logs)


@pytest.mark.parametrize("case,path,role,expected", expand(WEB, 2))
def test_web(world, db, case, path, role, expected):
    # given the same user logged in to the web UI
    client = Client()
    client.force_login(world.users[role])
    before, logs = fingerprint(), ExportLog.objects.count()

    # when they open the download (or the statement page)
    response = client.get(path.format(**world.ids))

    # then the status is exactly SPEC §2's and only a download is logged
    _check(case, path, role, expected, response, before, logs)


# --- finance deletes nothing ------------------------------------------------------------------------


def _delete_operations():
    found = []

    def walk(prefix, router):
        for path, view in router.path_operations.items():
            for op in view.operations:
                if "DELETE" in op.methods:
                    found.append("/api/v1" + (prefix + path).replace("//", "/"))
        for sub_prefix, sub, *_ in router._routers:
            walk(prefix + sub_prefix, sub)

    for prefix, router, *_ in api._routers:
        walk(prefix, router)
    return sorted(found)


DELETES = _delete_operations()
# Revoking one's own API token is not deleting anything: the token row stays, marked revoked.
OWN_TOKEN = "/api/v1/me/tokens/{token_id}"
# Everyone keeps personal list views and may delete them; another's view does not exist for them.
OWN_VIEW = "/api/v1/views/orders/{int:view_id}"


def test_the_api_has_delete_endpoints_to_check():
    assert "/api/v1/orders/{int:order_id}" in DELETES


@pytest.mark.parametrize("path", [p for p in DELETES if p not in (OWN_TOKEN, OWN_VIEW)])
def test_finance_gets_403_on_every_delete_endpoint(world, db, path):
    # given the finance user and every DELETE endpoint the API has, on existing ids where known
    url = path.replace("{int:order_id}", str(world.ids["E_DRAFT"]))
    url = re.sub(r"\{[^}]+\}", "1", url)  # "1" is a valid id and a valid code
    before = fingerprint()

    # when finance calls it
    response = Client().delete(url, headers=bearer(world, "finance"))

    # then it is refused for the role, and nothing is gone
    assert response.status_code == 403, (url, response.content[:200])
    assert fingerprint() == before


def test_finance_deletes_only_its_own_list_views(world, db):
    from zhongshu.listviews.models import SavedView

    shared = SavedView.objects.filter(role="planner").first()
    before = fingerprint()
    response = Client().delete(
        f"/api/v1/views/orders/{shared.pk}", headers=bearer(world, "finance")
    )
    assert response.status_code == 404
    assert fingerprint() == before and SavedView.objects.filter(pk=shared.pk).exists()


def test_revoking_ones_own_token_deletes_nothing(world, db):
    # given a second token of the finance user
    _raw, token = token_create_for(
        actor=world.users["finance"], user_id=world.users["finance"].pk, name="spare", days=1
    )

    # when finance revokes it
    response = Client().delete(f"/api/v1/me/tokens/{token.pk}", headers=bearer(world, "finance"))

    # then the token is revoked but still there
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


assert ROLES[-1] == "finance"
