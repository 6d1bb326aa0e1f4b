"""The permission matrix (SPEC §2): every role × every API endpoint and web page × an object in
the user's own region (华东) and one in another region (华北), with the exact HTTP status.

The expectations below are written out by hand from SPEC §2/§3 — they are deliberately NOT
derived from ``permissions.can`` so that a wrong entry in ACTION_ROLES or a scope leak shows up
here. Every refused request must also leave the database exactly as it was.

Order of refusals the services promise: missing role for the *action* → 403 (it reveals nothing
about any object); object outside the user's scope → 404 (ids of other regions do not leak);
object rule ("only own orders", "not in this status") → 403/409.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.orders.conftest import no_hooks  # noqa: F401  (the order core without plug-ins)
from tests.support.matrix import ROLES, MatrixRunner, bearer, expand, mark_known, module_world
from tests.support.order_world import build_order_world
from tests.support.order_world import order_fingerprint as fingerprint
from zhongshu.orders.models import Order

# --- the world: built once per module, rolled back at the end -----------------------------------

world = module_world(build_order_world)
run = MatrixRunner(fingerprint)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the table ----------------------------------------------------------------------------------
# One row per request; the expected statuses are in the role order of ROLES:
#            admin manager sales planner supervisor operator qc warehouse purchasing finance

DUE = (timezone.localdate() + dt.timedelta(days=40)).isoformat()


def _version(key):
    return lambda w: {"version": Order.objects.get(pk=w.ids[key]).version, "note": "矩阵"}


def _price(key):
    return lambda w: {"version": Order.objects.get(pk=w.ids[key]).version, "discount_rate": "5"}


def _transition(action):
    return lambda w: {"action": action, "note": "矩阵"}


def _new_order(cust):
    return lambda w: {
        "customer": w.ids[cust],
        "due_date": DUE,
        "lines": [{"material": w.ids["MATERIAL"], "quantity": "1", "unit_price": "10"}],
    }


def _stock(quantity):
    return lambda w: {"material": w.ids["MATERIAL"], "quantity": quantity, "reason": "盘点"}


API = [
    # (id, method, path, body, expected)
    # orders
    ("orders.list", "get", "/api/v1/orders", None, "200 200 200 200 200 403 200 200 200 200"),
    (
        "orders.get.own",
        "get",
        "/api/v1/orders/{E_DRAFT}",
        None,
        "200 200 200 200 404 403 404 200 200 200",
    ),
    (
        "orders.get.other",
        "get",
        "/api/v1/orders/{N_DRAFT}",
        None,
        "200 200 404 200 404 403 404 200 200 200",
    ),
    (
        "orders.get.missing",
        "get",
        "/api/v1/orders/{NO_SUCH}",
        None,
        "404 404 404 404 404 403 404 404 404 404",
    ),
    (
        "orders.create.own",
        "post",
        "/api/v1/orders",
        _new_order("E_CUST"),
        "201 403 201 403 403 403 403 403 403 403",
    ),
    # an order for a customer the sales user cannot see: the customer field is refused (422)
    (
        "orders.create.other",
        "post",
        "/api/v1/orders",
        _new_order("N_CUST"),
        "201 403 422 403 403 403 403 403 403 403",
    ),
    # managers edit only orders they own; qc, purchasing, finance, supervisor never edit
    (
        "orders.patch.own",
        "patch",
        "/api/v1/orders/{E_DRAFT}",
        _version("E_DRAFT"),
        "200 403 200 200 403 403 403 200 403 403",
    ),
    (
        "orders.patch.other",
        "patch",
        "/api/v1/orders/{N_DRAFT}",
        _version("N_DRAFT"),
        "200 403 404 200 403 403 403 200 403 403",
    ),
    # price terms: planner and warehouse may edit the order but not its prices
    (
        "orders.patch_price.own",
        "patch",
        "/api/v1/orders/{E_DRAFT}",
        _price("E_DRAFT"),
        "200 403 200 403 403 403 403 403 403 403",
    ),
    (
        "orders.patch_price.other",
        "patch",
        "/api/v1/orders/{N_DRAFT}",
        _price("N_DRAFT"),
        "200 403 404 403 403 403 403 403 403 403",
    ),
    # transitions: view right (403) → scope (404: drafts are outside qc/supervisor stages) → role
    (
        "orders.submit.own",
        "post",
        "/api/v1/orders/{E_DRAFT}/transitions",
        _transition("submit"),
        "200 403 200 403 404 403 404 403 403 403",
    ),
    (
        "orders.submit.other",
        "post",
        "/api/v1/orders/{N_DRAFT}/transitions",
        _transition("submit"),
        "200 403 404 403 404 403 404 403 403 403",
    ),
    # sales may not confirm (even their own orders)
    (
        "orders.confirm.own",
        "post",
        "/api/v1/orders/{E_PENDING}/transitions",
        _transition("confirm"),
        "200 200 403 200 404 403 404 403 403 403",
    ),
    (
        "orders.confirm.other",
        "post",
        "/api/v1/orders/{N_PENDING}/transitions",
        _transition("confirm"),
        "200 200 404 200 404 403 404 403 403 403",
    ),
    # only an administrator deletes (finance: "delete anything" is forbidden)
    (
        "orders.delete.own",
        "delete",
        "/api/v1/orders/{E_DRAFT}",
        None,
        "204 403 403 403 404 403 404 403 403 403",
    ),
    (
        "orders.delete.other",
        "delete",
        "/api/v1/orders/{N_DRAFT}",
        None,
        "204 403 404 403 404 403 404 403 403 403",
    ),
    # drafts only: anything else is cancelled instead
    (
        "orders.delete.confirmed",
        "delete",
        "/api/v1/orders/{E_CONF}",
        None,
        "409 403 403 403 403 403 404 403 403 403",
    ),
    # customers
    ("customers.list", "get", "/api/v1/customers", None, "200 200 200 200 200 403 200 200 200 200"),
    (
        "customers.get.own",
        "get",
        "/api/v1/customers/{E_CUST}",
        None,
        "200 200 200 200 200 403 200 200 200 200",
    ),
    (
        "customers.get.other",
        "get",
        "/api/v1/customers/{N_CUST}",
        None,
        "200 200 404 200 200 403 200 200 200 200",
    ),
    (
        "customers.patch.own",
        "patch",
        "/api/v1/customers/{E_CUST}",
        lambda w: {"contact": "李工"},
        "200 403 200 403 403 403 403 403 403 403",
    ),
    (
        "customers.patch.other",
        "patch",
        "/api/v1/customers/{N_CUST}",
        lambda w: {"contact": "李工"},
        "200 403 404 403 403 403 403 403 403 403",
    ),
    (
        "customers.create.own",
        "post",
        "/api/v1/customers",
        lambda w: {"code": "C-NEW-E", "name": "新客户", "region": "华东"},
        "201 403 201 403 403 403 403 403 403 403",
    ),
    # materials
    ("materials.list", "get", "/api/v1/materials", None, "200 200 200 200 200 200 200 200 200 200"),
    (
        "materials.get",
        "get",
        "/api/v1/materials/{MATERIAL}",
        None,
        "200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "materials.create",
        "post",
        "/api/v1/materials",
        lambda w: {"code": "M-NEW", "name": "新件"},
        "201 403 403 201 403 403 403 403 403 403",
    ),
    (
        "materials.patch",
        "patch",
        "/api/v1/materials/{MATERIAL}",
        lambda w: {"name": "改名"},
        "200 403 403 200 403 403 403 403 403 403",
    ),
    # inventory
    (
        "inventory.availability",
        "get",
        "/api/v1/inventory/availability?material={MATERIAL}",
        None,
        "200 200 200 200 200 403 403 200 200 200",
    ),
    (
        "inventory.levels",
        "get",
        "/api/v1/inventory/levels",
        None,
        "200 200 200 200 200 403 403 200 200 200",
    ),
    (
        "inventory.movements",
        "get",
        "/api/v1/inventory/movements",
        None,
        "200 200 200 200 200 403 403 200 200 200",
    ),
    (
        "inventory.receipts",
        "post",
        "/api/v1/inventory/receipts",
        _stock("5"),
        "201 403 403 403 403 403 403 201 403 403",
    ),
    (
        "inventory.adjustments",
        "post",
        "/api/v1/inventory/adjustments",
        _stock("-1"),
        "201 403 403 403 403 403 403 201 403 403",
    ),
    # the T+ link: stock is not regional, so these are the same for every region
    (
        "inventory.reconciliation",
        "get",
        "/api/v1/inventory/reconciliation",
        None,
        "200 200 403 403 403 403 403 200 403 200",
    ),
    (
        "inventory.postings.retry.missing",
        "post",
        "/api/v1/inventory/postings/999999/retry",
        lambda w: {},
        "404 403 403 403 403 403 403 404 403 403",
    ),
    (
        "inventory.erp.master",
        "get",
        "/api/v1/inventory/erp/master",
        None,
        "200 403 403 403 403 403 403 200 403 403",
    ),
    # shipping: the role is checked before the order (403 says nothing about the id)
    (
        "shipments.create.own",
        "post",
        "/api/v1/inventory/shipments",
        lambda w: {"order_id": w.ids["E_CONF"]},
        "201 403 403 403 403 403 403 201 403 403",
    ),
    (
        "shipments.create.other",
        "post",
        "/api/v1/inventory/shipments",
        lambda w: {"order_id": w.ids["N_CONF"]},
        "201 403 403 403 403 403 403 201 403 403",
    ),
    (
        "shipments.create.missing",
        "post",
        "/api/v1/inventory/shipments",
        lambda w: {"order_id": w.ids["NO_SUCH"]},
        "404 403 403 403 403 403 403 404 403 403",
    ),
    (
        "shipments.list",
        "get",
        "/api/v1/inventory/shipments",
        None,
        "200 200 200 200 200 403 200 200 200 200",
    ),
    # shipped orders are in the qc stage scope and outside the supervisor's
    (
        "shipments.get.own",
        "get",
        "/api/v1/inventory/shipments/{E_SHIP}",
        None,
        "200 200 200 200 404 403 200 200 200 200",
    ),
    (
        "shipments.get.other",
        "get",
        "/api/v1/inventory/shipments/{N_SHIP}",
        None,
        "200 200 404 200 404 403 200 200 200 200",
    ),
    (
        "shipments.get.missing",
        "get",
        "/api/v1/inventory/shipments/{NO_SUCH}",
        None,
        "404 404 404 404 404 403 404 404 404 404",
    ),
    # accounts
    ("me", "get", "/api/v1/me", None, "200 200 200 200 200 200 200 200 200 200"),
    ("regions.list", "get", "/api/v1/regions", None, "200 200 200 200 200 200 200 200 200 200"),
    (
        "regions.create",
        "post",
        "/api/v1/regions",
        lambda w: {"name": "西南"},
        "201 403 403 403 403 403 403 403 403 403",
    ),
    ("users.list", "get", "/api/v1/users", None, "200 403 403 403 403 403 403 403 403 403"),
    (
        "users.deactivate",
        "post",
        "/api/v1/users/{VICTIM}/deactivate",
        None,
        "200 403 403 403 403 403 403 403 403 403",
    ),
]

WEB = [
    # (id, path, expected) — GET, logged in through the session
    # the home page sends every role to its own start page
    ("home", "/", "302 302 302 302 302 302 302 302 302 302"),
    ("orders.list", "/orders/", "200 200 200 200 200 403 200 200 200 200"),
    ("orders.detail.own", "/orders/{E_DRAFT}/", "200 200 200 200 404 403 404 200 200 200"),
    ("orders.detail.other", "/orders/{N_DRAFT}/", "200 200 404 200 404 403 404 200 200 200"),
    # may see but not edit → sent back to the detail page
    ("orders.edit.own", "/orders/{E_DRAFT}/edit/", "200 302 200 200 404 403 404 200 302 302"),
    ("orders.edit.other", "/orders/{N_DRAFT}/edit/", "200 302 404 200 404 403 404 200 302 302"),
    ("orders.new", "/orders/new/", "200 403 200 403 403 403 403 403 403 403"),
    ("customers.list", "/customers/", "200 200 200 200 200 403 200 200 200 200"),
    (
        "inventory.reconciliation",
        "/inventory/reconciliation/",
        "200 200 403 403 403 403 403 200 403 200",
    ),
    ("inventory.erp", "/inventory/erp/", "200 403 403 403 403 403 403 403 403 403"),
    ("customers.new", "/customers/new/", "200 403 200 403 403 403 403 403 403 403"),
    ("customers.edit.own", "/customers/{E_CUST}/edit/", "200 403 200 403 403 403 403 403 403 403"),
    (
        "customers.edit.other",
        "/customers/{N_CUST}/edit/",
        "200 403 404 403 403 403 403 403 403 403",
    ),
    ("materials.list", "/materials/", "200 200 200 200 200 200 200 200 200 200"),
    ("materials.new", "/materials/new/", "200 403 403 200 403 403 403 403 403 403"),
    ("materials.edit", "/materials/{MATERIAL}/edit/", "200 403 403 200 403 403 403 403 403 403"),
    ("inventory.stock", "/inventory/", "200 200 200 200 200 403 403 200 200 200"),
    (
        "inventory.material",
        "/inventory/material/{MATERIAL}/",
        "200 200 200 200 200 403 403 200 200 200",
    ),
    ("inventory.receipt", "/inventory/receipts/new/", "200 403 403 403 403 403 403 200 403 403"),
    ("inventory.adjust", "/inventory/adjustments/new/", "200 403 403 403 403 403 403 200 403 403"),
    ("inventory.shipments", "/inventory/shipments/", "200 200 200 200 200 403 200 200 200 200"),
    ("inventory.ship", "/inventory/shipments/new/", "200 403 403 403 403 403 403 200 403 403"),
    ("users.list", "/users/", "200 403 403 403 403 403 403 403 403 403"),
    ("users.new", "/users/new/", "200 403 403 403 403 403 403 403 403 403"),
    ("users.edit", "/users/{VICTIM}/", "200 403 403 403 403 403 403 403 403 403"),
    ("audit", "/audit/", "200 200 403 403 403 403 403 403 403 403"),
    ("account", "/account/", "200 200 200 200 200 200 200 200 200 200"),
]


# Known gaps between SPEC §2 and the code: (case id, role) → reason. Each is xfail(strict=True),
# so fixing the code makes the test fail until the entry is removed here.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case,method,path,body,role,expected", mark_known(expand(API, 4), KNOWN_BUGS)
)
def test_api(world, no_hooks, db, case, method, path, body, role, expected):  # noqa: F811
    # given a user holding exactly one role (sales: 华东 only) and the world as it is
    # when the user calls the endpoint
    outcome = run.api(world, role, method, path, body)

    # then the status is exactly the one SPEC §2 gives, and a refusal changed nothing
    outcome.expect(expected, method, codes=(403, 404, 409, 422))


# where "/" leads each role (the administrator: the checklist, incomplete in this world)
HOMES = {
    "admin": "/setup/",
    "manager": "/dashboard/",
    "sales": "/orders/",
    "planner": "/planning/",
    "supervisor": "/production/",
    "operator": "/production/my/",
    "qc": "/qc/",
    "warehouse": "/inventory/",
    "purchasing": "/planning/purchase-orders/",
    "finance": "/finance/",
}


@pytest.mark.parametrize("case,path,role,expected", mark_known(expand(WEB, 2), KNOWN_BUGS))
def test_web(world, db, case, path, role, expected):
    # given a user logged in to the web UI with exactly one role
    # when they open the page
    outcome = run.page(world, role, path)
    response = outcome.response

    # then they get exactly the status SPEC §2 gives, and looking changed nothing
    assert response.status_code == expected
    if expected == 302:
        order_page = path.format(**world.ids).removesuffix("edit/")
        if case == "home":  # each role's own start page; the admin's: the go-live checklist
            assert response["Location"] == HOMES[role]
        else:
            assert response["Location"] == (
                order_page if case.startswith("orders.") else "/orders/"
            )
    assert outcome.after == outcome.before


# --- scope of lists and IDOR ---------------------------------------------------------------------


def test_order_list_shows_a_sales_user_only_their_regions(world, db):
    # when sales (华东) lists orders
    response = Client().get("/api/v1/orders?limit=200", headers=bearer(world, "sales"))

    # then every east order is there and no north order
    ids = {item["id"] for item in response.json()["items"]}
    east = {world.ids[k] for k in ("E_DRAFT", "E_PENDING", "E_CONF")}
    north = {world.ids[k] for k in ("N_DRAFT", "N_PENDING", "N_CONF")}
    assert east <= ids
    assert not ids & north
    assert set(Order.objects.filter(pk__in=ids).values_list("customer__code", flat=True)) == {
        "C-EAST"
    }


def test_customer_and_shipment_lists_show_a_sales_user_only_their_regions(world, db):
    client = Client()
    customers = client.get("/api/v1/customers", headers=bearer(world, "sales")).json()
    shipments = client.get("/api/v1/inventory/shipments", headers=bearer(world, "sales")).json()

    assert [c["code"] for c in customers["items"]] == ["C-EAST"]
    assert [s["id"] for s in shipments["items"]] == [world.ids["E_SHIP"]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders/{id}",
        "/api/v1/inventory/shipments/{id}",
    ],
)
def test_guessing_another_regions_id_looks_exactly_like_a_missing_one(world, db, path):
    # given the id of a north object and an id that does not exist
    key = "N_SHIP" if "shipments" in path else "N_DRAFT"
    client = Client()
    headers = bearer(world, "sales")

    # when sales (华东) asks for both
    other = client.get(path.format(id=world.ids[key]), headers=headers)
    missing = client.get(path.format(id=world.ids["NO_SUCH"]), headers=headers)

    # then both answers are the same 404
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_anonymous_gets_401_from_the_api_and_the_login_page_from_the_web(world, db):
    client = Client()
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get(f"/api/v1/orders/{world.ids['E_DRAFT']}").status_code == 401
    for path in ("/orders/", "/customers/", "/inventory/", "/users/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- web writes ---------------------------------------------------------------------------------
# The web UI answers a refused transition with a message and a redirect back to the order (302,
# nothing changed); an order outside the user's scope is a 404. "302+" marks the roles for which
# the transition really happens.

WEB_POST = [
    (
        "transition.submit.own",
        "/orders/{E_DRAFT}/transition/",
        {"action": "submit", "note": "矩阵"},
        "302+ 302 302+ 302 404 302 404 302 302 302",
    ),
    (
        "transition.submit.other",
        "/orders/{N_DRAFT}/transition/",
        {"action": "submit", "note": "矩阵"},
        "302+ 302 404 302 404 302 404 302 302 302",
    ),
    (
        "transition.confirm.own",
        "/orders/{E_PENDING}/transition/",
        {"action": "confirm", "note": "矩阵"},
        "302+ 302+ 302 302+ 404 302 404 302 302 302",
    ),
    (
        "transition.confirm.other",
        "/orders/{N_PENDING}/transition/",
        {"action": "confirm", "note": "矩阵"},
        "302+ 302+ 404 302+ 404 302 404 302 302 302",
    ),
    (
        "users.deactivate",
        "/users/{VICTIM}/active/",
        {"active": "0"},
        "302+ 403 403 403 403 403 403 403 403 403",
    ),
]


def _expand_post():
    cases = []
    for name, path, data, expected in WEB_POST:
        statuses = expected.split()
        assert len(statuses) == len(ROLES), name
        for role, status in zip(ROLES, statuses, strict=True):
            changes = status.endswith("+")
            cases.append(
                pytest.param(
                    path, data, role, int(status.rstrip("+")), changes, id=f"{name}-{role}"
                )
            )
    return cases


@pytest.mark.parametrize("path,data,role,expected,changes", mark_known(_expand_post(), KNOWN_BUGS))
def test_web_post(world, no_hooks, db, path, data, role, expected, changes):  # noqa: F811
    # given a user logged in to the web UI with exactly one role
    # when they submit the form
    outcome = run.page(world, role, path, "post", data)

    # then the status is exact, and only an allowed action changed anything
    assert outcome.response.status_code == expected
    assert outcome.changed is changes


def test_pickers_offer_a_sales_user_only_customers_of_their_regions(world, db):
    # given sales (华东) logged in
    client = Client()
    client.force_login(world.users["sales"])

    # when they search for customers by code prefix, and pick the north one by code
    found = client.get("/orders/pick/customer/", {"customer": "C-"}).content.decode()
    chosen = client.get("/orders/pick/customer/", {"choose": "C-NORTH"}).content.decode()

    # then only the east customer is offered, and the north one's name is never shown
    assert "C-EAST" in found
    assert "C-NORTH" not in found
    assert "天津重工" not in chosen
    assert "天津重工" not in found


def test_revoking_someone_elses_token_looks_like_a_missing_one(world, db):
    # given the finance user's token id and a sales client
    from zhongshu.accounts.models import ApiToken

    victim = ApiToken.objects.filter(user=world.users["finance"]).get()
    client = Client()
    headers = bearer(world, "sales")

    # when sales tries to revoke it, and a token id that does not exist
    other = client.delete(f"/api/v1/me/tokens/{victim.pk}", headers=headers)
    missing = client.delete(f"/api/v1/me/tokens/{world.ids['NO_SUCH']}", headers=headers)

    # then both are the same 404 and the finance token still works
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    victim.refresh_from_db()
    assert victim.revoked_at is None
    assert client.get("/api/v1/me", headers=bearer(world, "finance")).status_code == 200
