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
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from tests.orders.conftest import no_hooks  # noqa: F401  (the order core without plug-ins)
from zhongshu.accounts.models import Region
from zhongshu.accounts.services import token_create_for
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer
from zhongshu.inventory.models import (
    Reservation,
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
)
from zhongshu.orders.models import Order, OrderEvent, OrderLine

ROLES = (
    "admin",
    "manager",
    "sales",
    "planner",
    "supervisor",
    "operator",
    "qc",
    "warehouse",
    "purchasing",
    "finance",
)
User = get_user_model()


# --- the world: built once per module, rolled back at the end -----------------------------------


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role → user (sales holds 华东 only)
    tokens: dict = field(default_factory=dict)  # role → raw Bearer token
    ids: dict = field(default_factory=dict)  # placeholder → id / code used in paths


def _build() -> World:
    w = World()
    east = RegionFactory(name="华东")
    north = RegionFactory(name="华北")
    c_east = CustomerFactory(code="C-EAST", name="苏州精工机械", region=east)
    c_north = CustomerFactory(code="C-NORTH", name="天津重工", region=north)
    for role in ROLES:
        regions = ("华东",) if role == "sales" else ()
        w.users[role] = make_user(role, regions=regions, username=f"m_{role}")
        w.tokens[role], _ = token_create_for(
            actor=w.users[role], user_id=w.users[role].pk, name="matrix", days=30
        )
    admin, sales = w.users["admin"], w.users["sales"]
    material = MaterialFactory(code="M-MATRIX", fulfilment="stock")
    make_warehouse()
    put_stock(material, "1000", actor=w.users["warehouse"])
    line = [{"material": material.code, "quantity": "2", "unit_price": "10"}]

    def order(customer, actor, status=None):
        return make_order(actor=actor, customer=customer, lines=line, status=status).pk

    w.ids.update(
        E_DRAFT=order(c_east, sales),
        N_DRAFT=order(c_north, admin),
        E_PENDING=order(c_east, sales, "pending_review"),
        N_PENDING=order(c_north, admin, "pending_review"),
        E_CONF=order(c_east, sales, "confirmed"),
        N_CONF=order(c_north, admin, "confirmed"),
        E_CUST=c_east.code,
        N_CUST=c_north.code,
        MATERIAL=material.code,
        VICTIM=make_user("finance", username="m_victim").pk,
        NO_SUCH=10**9,
    )
    from zhongshu.inventory.services import shipment_create

    for key, customer, actor in (("E_SHIP", c_east, sales), ("N_SHIP", c_north, admin)):
        shipped_order = order(customer, actor, "confirmed")
        w.ids[key] = shipment_create(actor=w.users["warehouse"], order_id=shipped_order).pk
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fingerprint() -> tuple:
    """Everything a refused request could have written (audit trails and token use excluded)."""

    def rows(model):
        return list(model.objects.order_by("pk").values())

    return (
        rows(Order),
        OrderLine.objects.count(),
        OrderEvent.objects.count(),
        rows(Customer),
        rows(Material),
        rows(StockLevel),
        StockMovement.objects.count(),
        rows(Reservation),
        Shipment.objects.count(),
        ShipmentLine.objects.count(),
        Region.objects.count(),
        list(User.objects.order_by("pk").values_list("pk", "username", "is_active")),
    )


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
    # the home page sends everyone to the order list (the operator then meets a 403 there)
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


def _expand(table, width):
    cases = []
    for row in table:
        statuses = row[-1].split()
        assert len(statuses) == len(ROLES), row[0]
        for role, status in zip(ROLES, statuses, strict=True):
            cases.append(pytest.param(*row[:width], role, int(status), id=f"{row[0]}-{role}"))
    return cases


# Known gaps between SPEC §2 and the code: (case id, role) → reason. Each is xfail(strict=True),
# so fixing the code makes the test fail until the entry is removed here.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _mark_known(cases):
    out = []
    for case in cases:
        reason = KNOWN_BUGS.get(tuple(case.id.rsplit("-", 1)))
        if reason:
            mark = pytest.mark.xfail(strict=True, reason=reason)
            case = pytest.param(*case.values, id=case.id, marks=mark)
        out.append(case)
    return out


def _bearer(world, role):
    return {"Authorization": f"Bearer {world.tokens[role]}"}


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case,method,path,body,role,expected", _mark_known(_expand(API, 4)))
def test_api(world, no_hooks, db, case, method, path, body, role, expected):  # noqa: F811
    # given a user holding exactly one role (sales: 华东 only) and the world as it is
    client = Client()
    url = path.format(**world.ids)
    kwargs = {"headers": _bearer(world, role)}
    if body is not None:
        kwargs.update(data=body(world), content_type="application/json")
    before = fingerprint()

    # when the user calls the endpoint
    response = getattr(client, method)(url, **kwargs)

    # then the status is exactly the one SPEC §2 gives, and a refusal changed nothing
    assert response.status_code == expected, response.content.decode()[:300]
    after = fingerprint()
    if expected >= 400 or method == "get":
        assert after == before
    else:
        assert after != before
    if expected in (403, 404, 409, 422):
        assert response.json()["code"]


@pytest.mark.parametrize("case,path,role,expected", _mark_known(_expand(WEB, 2)))
def test_web(world, db, case, path, role, expected):
    # given a user logged in to the web UI with exactly one role
    client = Client()
    client.force_login(world.users[role])
    before = fingerprint()

    # when they open the page
    response = client.get(path.format(**world.ids))

    # then they get exactly the status SPEC §2 gives, and looking changed nothing
    assert response.status_code == expected
    if expected == 302:
        order_page = path.format(**world.ids).removesuffix("edit/")
        if case == "home":  # everyone's start page: the dashboard; operators: their own tasks
            assert response["Location"] == (
                "/production/my/" if role == "operator" else "/dashboard/"
            )
        else:
            assert response["Location"] == (
                order_page if case.startswith("orders.") else "/orders/"
            )
    assert fingerprint() == before


# --- scope of lists and IDOR ---------------------------------------------------------------------


def test_order_list_shows_a_sales_user_only_their_regions(world, db):
    # when sales (华东) lists orders
    response = Client().get("/api/v1/orders?limit=200", headers=_bearer(world, "sales"))

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
    customers = client.get("/api/v1/customers", headers=_bearer(world, "sales")).json()
    shipments = client.get("/api/v1/inventory/shipments", headers=_bearer(world, "sales")).json()

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
    headers = _bearer(world, "sales")

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


@pytest.mark.parametrize("path,data,role,expected,changes", _mark_known(_expand_post()))
def test_web_post(world, no_hooks, db, path, data, role, expected, changes):  # noqa: F811
    # given a user logged in to the web UI with exactly one role
    client = Client()
    client.force_login(world.users[role])
    before = fingerprint()

    # when they submit the form
    response = client.post(path.format(**world.ids), data)

    # then the status is exact, and only an allowed action changed anything
    assert response.status_code == expected
    assert (fingerprint() != before) is changes


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
    headers = _bearer(world, "sales")

    # when sales tries to revoke it, and a token id that does not exist
    other = client.delete(f"/api/v1/me/tokens/{victim.pk}", headers=headers)
    missing = client.delete(f"/api/v1/me/tokens/{world.ids['NO_SUCH']}", headers=headers)

    # then both are the same 404 and the finance token still works
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    victim.refresh_from_db()
    assert victim.revoked_at is None
    assert client.get("/api/v1/me", headers=_bearer(world, "finance")).status_code == 200
