"""Every role × every import endpoint/page × own / other user's batch, with the exact status."""

import io

import pytest
from django.test import Client

from tests.factories import make_user
from tests.imports.conftest import ORDER_HEADERS, future, xlsx
from tests.support.matrix import ROLES
from zhongshu.imports.models import ImportBatch
from zhongshu.imports.services import batch_upload
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db

ORDER_IMPORTERS = {"admin", "sales"}
ANY_IMPORTER = {"admin", "sales", "planner", "warehouse", "purchasing", "qc", "finance"}


@pytest.fixture
def users(world):
    return {
        r: make_user(r, regions=("华东",) if r == "sales" else (), username=f"pm_{r}")
        for r in ROLES
    }


def _file():
    f = io.BytesIO(xlsx([ORDER_HEADERS, ["PO-1", "C-EAST", "M-001", 1, 1, future(), "", ""]]))
    f.name = "o.xlsx"
    return f


@pytest.mark.parametrize("role", ROLES)
def test_import_matrix(role, users, world):
    user = users[role]
    others = batch_upload(
        actor=world.other, content=_file().getvalue(), name="x.xlsx", kind="orders"
    )
    c = Client()
    c.force_login(user)
    # upload through the page and the API
    r = c.post("/imports/", {"kind": "orders", "file": _file()})
    assert r.status_code == (
        302 if role in ORDER_IMPORTERS else 403 if role not in ANY_IMPORTER else 200
    )
    assert c.get("/imports/").status_code == (200 if role in ANY_IMPORTER else 403)
    assert c.get("/imports/templates/orders.xlsx").status_code == (
        200 if role in ORDER_IMPORTERS else 403
    )
    # someone else's batch: 404 except for the administrator
    seen = 200 if role == "admin" else 404
    assert c.get(f"/imports/{others.pk}/").status_code == seen
    assert c.get(f"/api/v1/imports/{others.pk}").status_code == seen
    assert c.get(f"/api/v1/imports/{others.pk}/errors.xlsx").status_code == seen
    r = c.post(f"/imports/{others.pk}/commit/", {"mode": "valid_only"})
    assert r.status_code == (302 if role == "admin" else 404)
    expected_orders = 1 if role == "admin" else 0
    assert Order.objects.count() == expected_orders
    assert ImportBatch.objects.filter(user=user).count() == (1 if role in ORDER_IMPORTERS else 0)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_another_users_batch_is_404_on_every_endpoint(role, users, world, api_as):
    # given a validated batch of another user, with an error row and a valid row
    content = xlsx([
        ORDER_HEADERS,
        ["PO-1", "C-EAST", "M-001", 1, 1, future(), "", ""],
        ["PO-2", "C-EAST", "M-404", 1, 1, future(), "", ""],
    ])  # fmt: skip
    theirs = batch_upload(actor=world.other, content=content, name="x.xlsx", kind="orders")
    before = ImportBatch.objects.filter(pk=theirs.pk).values().get()
    api = api_as(users[role])
    web = Client()
    web.force_login(users[role])
    base = f"/api/v1/imports/{theirs.pk}"
    # when any user but an administrator asks for it by id, through the API or the pages
    answers = {
        "api status": api.get(base).status_code,
        "api errors page": api.get(f"{base}?offset=0&limit=10").status_code,
        "api errors.xlsx": api.get(f"{base}/errors.xlsx").status_code,
        "api commit": api.post(f"{base}/commit", {"mode": "valid_only"}).status_code,
        "api cancel": api.post(f"{base}/cancel", {}).status_code,
        "page": web.get(f"/imports/{theirs.pk}/").status_code,
        "progress": web.get(f"/imports/{theirs.pk}/progress/").status_code,
        "errors.xlsx": web.get(f"/imports/{theirs.pk}/errors.xlsx").status_code,
        "commit": web.post(f"/imports/{theirs.pk}/commit/", {"mode": "valid_only"}).status_code,
        "cancel": web.post(f"/imports/{theirs.pk}/cancel/").status_code,
    }
    # then every answer is 404 (it does not exist for them), and nothing changed
    assert answers == dict.fromkeys(answers, 404)
    assert ImportBatch.objects.filter(pk=theirs.pk).values().get() == before
    assert Order.objects.count() == 0


REGION_CASES = [
    # role, regions, may import the C-EAST order, may import the C-NORTH order
    ("sales", ("华东",), True, False),
    ("sales", ("华北",), False, True),
    ("sales", ("华东", "华北"), True, True),
    ("sales", (), False, False),
    ("admin", (), True, True),
]


@pytest.mark.parametrize(("role", "regions", "east_ok", "north_ok"), REGION_CASES)
def test_region_scope_applies_to_rows_and_commit(role, regions, east_ok, north_ok, world, api_as):
    # given an importer limited to some regions and a file with one order per region
    user = make_user(role, regions=regions)
    content = xlsx([
        ORDER_HEADERS,
        ["PO-E", "C-EAST", "M-001", 1, 1, future(), "", ""],
        ["PO-N", "C-NORTH", "M-001", 1, 1, future(), "", ""],
    ])  # fmt: skip
    api = api_as(user)
    # when they upload it, look at the errors, commit the valid rows and fetch the error workbook
    upload = io.BytesIO(content)
    upload.name = "f.xlsx"
    r = api.client.post("/api/v1/imports", {"kind": "orders", "file": upload}, headers=api.headers)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["valid"], body["invalid"]) == (east_ok + north_ok, 2 - east_ok - north_ok)
    errors = api.get(f"/api/v1/imports/{body['id']}").json()["errors"]
    # then a customer outside their regions reads like an unknown one, on its row and column
    expected = [{"row": 2, "column": "客户编码"}] * (not east_ok) + [
        {"row": 3, "column": "客户编码"}
    ] * (not north_ok)
    assert [{"row": e["row"], "column": e["column"]} for e in errors] == expected
    assert all("C-EAST" in e["message"] or "C-NORTH" in e["message"] for e in errors)
    committed = api.post(f"/api/v1/imports/{body['id']}/commit", {"mode": "valid_only"})
    if east_ok or north_ok:
        assert committed.status_code == 200
    expected_codes = {code for code, ok in (("C-EAST", east_ok), ("C-NORTH", north_ok)) if ok}
    assert set(Order.objects.values_list("customer__code", flat=True)) == expected_codes
    assert api.get(f"/api/v1/imports/{body['id']}/errors.xlsx").status_code == 200
