"""Every refusal of the order API has the one error shape and changes nothing."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.accounts.models import ApiToken
from zhongshu.orders.models import Order, OrderEvent, OrderNumberSequence

pytestmark = pytest.mark.django_db

DUE = (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def _shape(r, status, code):
    assert r.status_code == status, r.content
    body = r.json()
    assert sorted(body) == ["code", "details", "message"]
    assert body["code"] == code
    assert body["message"]
    return body


def _state(order_id):
    o = Order.objects.get(pk=order_id)
    return (
        o.status,
        o.version,
        o.discount_rate,
        o.tax_rate,
        o.payment_terms,
        o.note,
        o.total_amount,
        [(ln.material_id, ln.quantity, ln.unit_price) for ln in o.lines.all()],
        OrderEvent.objects.filter(order_id=order_id).count(),
    )


@pytest.fixture
def order_east(sales_east, customer_east):
    return make_order(actor=sales_east, customer=customer_east)


# --- 401 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/orders"),
        ("post", "/api/v1/orders"),
        ("get", "/api/v1/orders/1"),
        ("patch", "/api/v1/orders/1"),
        ("post", "/api/v1/orders/1/transitions"),
        ("delete", "/api/v1/orders/1"),
        ("get", "/api/v1/customers"),
        ("get", "/api/v1/materials"),
        ("get", "/api/v1/me"),
    ],
)
def test_401_without_a_token(api_as, method, path):
    api = api_as()
    r = api.delete(path) if method == "delete" else getattr(api, method)(path, {})
    _shape(r, 401, "unauthorized")


def test_401_with_a_bad_expired_or_revoked_token(api_as, sales_east, order_east):
    assert api_as(token="zs_not-a-real-token").get("/api/v1/orders").status_code == 401
    api = api_as(sales_east)
    assert api.get(f"/api/v1/orders/{order_east.pk}").status_code == 200
    token = ApiToken.objects.get(user=sales_east)
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    _shape(api.get(f"/api/v1/orders/{order_east.pk}"), 401, "unauthorized")
    token.expires_at = timezone.now() + timedelta(days=1)
    token.revoked_at = timezone.now()
    token.save()
    _shape(api.get(f"/api/v1/orders/{order_east.pk}"), 401, "unauthorized")
    # an inactive user's token is dead too
    token.revoked_at = None
    token.save()
    assert api.get("/api/v1/me").status_code == 200
    sales_east.is_active = False
    sales_east.save()
    _shape(api.get("/api/v1/me"), 401, "unauthorized")


def test_401_for_wrong_credentials(api_as, sales_east):
    r = api_as().post("/api/v1/auth/token", {"username": "sales_east", "password": "wrong"})
    _shape(r, 401, "invalid_credentials")
    r = api_as().post("/api/v1/auth/token", {"username": "nobody\x00", "password": "x"})
    _shape(r, 401, "invalid_credentials")


# --- 404 ------------------------------------------------------------------------------------------


def test_404_for_an_unknown_order(api_as, sales_east):
    api = api_as(sales_east)
    _shape(api.get("/api/v1/orders/999999"), 404, "not_found")
    _shape(api.patch("/api/v1/orders/999999", {"version": 1}), 404, "not_found")
    _shape(api.post("/api/v1/orders/999999/transitions", {"action": "submit"}), 404, "not_found")
    _shape(api_as(make_user("admin")).delete("/api/v1/orders/999999"), 404, "not_found")


def test_404_for_an_order_of_another_region_on_every_method(api_as, sales_north, order_east):
    before = _state(order_east.pk)
    api = api_as(sales_north)
    _shape(api.get(f"/api/v1/orders/{order_east.pk}"), 404, "not_found")
    r = api.patch(f"/api/v1/orders/{order_east.pk}", {"version": 1, "note": "偷改"})
    _shape(r, 404, "not_found")
    r = api.post(f"/api/v1/orders/{order_east.pk}/transitions", {"action": "submit"})
    _shape(r, 404, "not_found")
    r = api.post(f"/api/v1/orders/{order_east.pk}/transitions", {"action": "cancel", "note": "x"})
    _shape(r, 404, "not_found")
    _shape(api.delete(f"/api/v1/orders/{order_east.pk}"), 404, "not_found")
    assert _state(order_east.pk) == before


def test_404_for_customers_of_another_region_and_unknown_codes(
    api_as, sales_north, customer_east, customer_north
):
    api = api_as(sales_north)
    _shape(api.get("/api/v1/customers/C-EAST"), 404, "not_found")
    _shape(api.patch("/api/v1/customers/C-EAST", {"name": "改名"}), 404, "not_found")
    _shape(api.get("/api/v1/customers/NOPE"), 404, "not_found")
    assert api.get("/api/v1/customers/c-north").json()["code"] == "C-NORTH"
    _shape(api.get("/api/v1/materials/NOPE"), 404, "not_found")


# --- 403 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["planner", "warehouse", "finance", "qc", "manager"])
def test_403_for_roles_that_may_not_create_orders(api_as, role, customer_east):
    material = MaterialFactory()
    r = api_as(make_user(role)).post(
        "/api/v1/orders",
        {
            "customer": "C-EAST",
            "due_date": DUE,
            "lines": [{"material": material.code, "quantity": 1}],
        },
    )
    _shape(r, 403, "forbidden")
    assert Order.objects.count() == 0


def test_403_for_an_operator_on_orders(api_as, order_east):
    api = api_as(make_user("operator"))
    _shape(api.get("/api/v1/orders"), 403, "forbidden")
    _shape(api.get(f"/api/v1/orders/{order_east.pk}"), 403, "forbidden")


@pytest.mark.parametrize("role", ["warehouse", "planner"])
@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"discount_rate": "5"}, ["discount_rate"]),
        ({"tax_rate": "9"}, ["tax_rate"]),
        ({"payment_terms": "prepaid"}, ["payment_terms"]),
        ({"unit_price": True}, ["unit_price"]),
        (
            {"discount_rate": "5", "tax_rate": "6", "payment_terms": "cod", "unit_price": True},
            ["discount_rate", "payment_terms", "tax_rate", "unit_price"],
        ),
    ],
)
def test_403_forbidden_field_when_warehouse_or_planner_changes_price_terms(
    api_as, role, change, fields, order_east
):
    before = _state(order_east.pk)
    line = order_east.lines.get()
    payload = {
        "version": order_east.version,
        **{k: v for k, v in change.items() if k != "unit_price"},
    }
    if "unit_price" in change:
        payload["lines"] = [
            {"material": line.material.code, "quantity": str(line.quantity), "unit_price": "99.99"}
        ]
    r = api_as(make_user(role)).patch(f"/api/v1/orders/{order_east.pk}", payload)
    body = _shape(r, 403, "forbidden_field")
    if role == "warehouse" and "unit_price" in change:
        fields = sorted([*fields, "lines"])  # the warehouse may not change lines at all
    assert body["details"]["fields"] == fields
    assert _state(order_east.pk) == before


# the warehouse may not change lines (quantities) at all: tests/accounts/test_field_rules.py
@pytest.mark.parametrize("role", ["planner"])
def test_unchanged_price_terms_are_accepted_from_warehouse_and_planner(api_as, role, order_east):
    line = order_east.lines.get()
    r = api_as(make_user(role)).patch(
        f"/api/v1/orders/{order_east.pk}",
        {
            "version": order_east.version,
            "discount_rate": str(order_east.discount_rate),
            "tax_rate": "13",
            "payment_terms": order_east.payment_terms,
            "note": "仓库备注",
            "lines": [
                {
                    "material": line.material.code,
                    "quantity": "5",
                    "unit_price": str(line.unit_price),
                }
            ],
        },
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["version"], body["note"], body["lines"][0]["quantity"]) == (
        order_east.version + 1,
        "仓库备注",
        "5.000",
    )
    assert body["lines"][0]["unit_price"] == "10.00"
    assert body["total_amount"] == "56.50"  # 5 × 10.00 + 13 % tax


def test_403_when_a_role_may_not_transition(api_as, order_east):
    before = _state(order_east.pk)
    r = api_as(make_user("warehouse")).post(
        f"/api/v1/orders/{order_east.pk}/transitions", {"action": "submit"}
    )
    body = _shape(r, 403, "forbidden")
    assert body["details"] == {"action": "orders.submit"}
    assert _state(order_east.pk) == before


# --- 409 ------------------------------------------------------------------------------------------


def test_409_stale_version_on_patch(api_as, sales_east, order_east):
    api = api_as(sales_east)
    r = api.patch(f"/api/v1/orders/{order_east.pk}", {"version": 1, "note": "第一次"})
    assert r.status_code == 200 and r.json()["version"] == 2
    before = _state(order_east.pk)
    r = api.patch(f"/api/v1/orders/{order_east.pk}", {"version": 1, "note": "覆盖"})
    body = _shape(r, 409, "stale_version")
    assert body["details"] == {"current_version": 2, "your_version": 1}
    assert _state(order_east.pk) == before


def test_409_illegal_transition_lists_what_is_possible(api_as, sales_east, order_east):
    before = _state(order_east.pk)
    r = api_as(make_user("planner")).post(
        f"/api/v1/orders/{order_east.pk}/transitions", {"action": "confirm"}
    )
    body = _shape(r, 409, "illegal_transition")
    assert body["details"] == {
        "status": "draft",
        "action": "confirm",
        "allowed_actions": ["cancel"],
    }
    assert _state(order_east.pk) == before


def test_422_when_a_reason_is_missing(api_as, sales_east, order_east):
    before = _state(order_east.pk)
    r = api_as(sales_east).post(f"/api/v1/orders/{order_east.pk}/transitions", {"action": "cancel"})
    body = _shape(r, 422, "validation_error")
    assert [e["field"] for e in body["details"]["errors"]] == ["note"]
    r = api_as(sales_east).post(
        f"/api/v1/orders/{order_east.pk}/transitions", {"action": "cancel", "note": "  "}
    )
    _shape(r, 422, "validation_error")
    assert _state(order_east.pk) == before


def test_422_for_an_unknown_action(api_as, sales_east, order_east):
    r = api_as(sales_east).post(
        f"/api/v1/orders/{order_east.pk}/transitions", {"action": "teleport"}
    )
    body = _shape(r, 422, "validation_error")
    assert [e["field"] for e in body["details"]["errors"]] == ["action"]


# --- 422 and 400 on create ------------------------------------------------------------------------


def test_422_lists_every_bad_field_at_once(api_as, sales_east, customer_east):
    MaterialFactory(code="M-OK")
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    r = api_as(sales_east).post(
        "/api/v1/orders",
        {
            "customer": "NO-SUCH",
            "due_date": past,
            "priority": "asap",
            "discount_rate": "120",
            "payment_terms": "never",
            "lines": [
                {"material": "M-OK", "quantity": 0},
                {"material": "M-OK", "quantity": -1},
                {"material": "M-OK", "quantity": "abc"},
                {"material": "M-OK", "quantity": "1.0001"},
                {"material": "M-NOPE", "quantity": 1},
                {"material": "M-OK", "quantity": 1, "unit_price": "-3"},
            ],
        },
    )
    body = _shape(r, 422, "validation_error")
    assert [e["field"] for e in body["details"]["errors"]] == [
        "customer",
        "due_date",
        "discount_rate",
        "payment_terms",
        "priority",
        "lines[0].quantity",
        "lines[1].quantity",
        "lines[2].quantity",
        "lines[3].quantity",
        "lines[4].material",
        "lines[5].unit_price",
    ]
    assert Order.objects.count() == 0
    assert OrderNumberSequence.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"customer": "C-EAST", "due_date": DUE, "lines": []}, ["lines"]),
        ({"customer": "C-EAST", "due_date": DUE}, ["lines"]),
        ({"customer": "C-EAST", "lines": [{"material": "M-OK", "quantity": 1}]}, ["due_date"]),
        ({"customer": "C-EAST", "due_date": "2026-02-30", "lines": [{"material": "M-OK", "quantity": 1}]}, ["due_date"]),
        ({"due_date": DUE, "lines": [{"material": "M-OK", "quantity": 1}]}, ["customer"]),
        ({"customer": "C-EAST", "due_date": DUE, "lines": [{"quantity": 1}]}, ["lines[0].material"]),
        ({"customer": "C-EAST", "due_date": DUE, "lines": [{"material": "M-OK"}]}, ["lines[0].quantity"]),
        ({"customer": "C-EAST", "due_date": DUE, "lines": [{"material": "M-OK", "quantity": "1e400"}]}, ["lines[0].quantity"]),
        ({"customer": "C-EAST", "due_date": DUE, "lines": [{"material": "M-OK", "quantity": "NaN"}]}, ["lines[0].quantity"]),
        ({"customer": "C-EAST", "due_date": DUE, "lines": [{"material": "M-OK", "quantity": 1, "unit_price": "1e400"}]}, ["lines[0].unit_price"]),
        ({"customer": "C-NORTH", "due_date": DUE, "lines": [{"material": "M-OK", "quantity": 1}]}, ["customer"]),
    ],
)  # fmt: skip
def test_422_names_the_field(api_as, sales_east, customer_east, customer_north, payload, fields):
    MaterialFactory(code="M-OK")
    body = _shape(api_as(sales_east).post("/api/v1/orders", payload), 422, "validation_error")
    assert [e["field"] for e in body["details"]["errors"]] == fields
    assert Order.objects.count() == 0


def test_422_when_amounts_would_not_fit(api_as, sales_east, customer_east):
    MaterialFactory(code="M-OK")
    r = api_as(sales_east).post(
        "/api/v1/orders",
        {
            "customer": "C-EAST",
            "due_date": DUE,
            "lines": [
                {"material": "M-OK", "quantity": "99999999999", "unit_price": "999999999999"}
            ],
        },
    )
    body = _shape(r, 422, "validation_error")
    assert [e["field"] for e in body["details"]["errors"]] == ["lines[0].amount"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("body", ['{"customer": ', "not json", "[1, 2]", '"text"'])
def test_400_for_malformed_json(api_as, sales_east, body):
    api = api_as(sales_east)
    r = api.client.post(
        "/api/v1/orders", body, content_type="application/json", headers=api.headers
    )
    assert r.status_code in (400, 422), r.content
    assert sorted(r.json()) == ["code", "details", "message"]
    if body in ('{"customer": ', "not json"):
        assert r.status_code == 400
        assert r.json()["code"] == "bad_request"
    assert Order.objects.count() == 0


def test_full_width_input_is_normalised(api_as, sales_east, customer_east):
    MaterialFactory(code="M-FW", standard_price="2.50")
    r = api_as(sales_east).post(
        "/api/v1/orders",
        {
            "customer": "ｃ－ｅａｓｔ",
            "due_date": DUE,
            "priority": "urgent",
            "lines": [{"material": "ｍ－ｆｗ", "quantity": "１２", "unit_price": "３．５０"}],
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["customer"], body["lines"][0]["material"], body["lines"][0]["quantity"]) == (
        "C-EAST",
        "M-FW",
        "12.000",
    )
    assert (body["lines"][0]["unit_price"], body["subtotal"]) == ("3.50", "42.00")
    # order numbers are searched the same way
    number = body["number"]
    fw = number.translate({ord(c): ord(c) + 0xFEE0 for c in "SO-0123456789"})
    r = api_as(sales_east).get("/api/v1/orders", {"q": fw})
    assert [o["number"] for o in r.json()["items"]] == [number]


# --- DELETE ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "manager", "planner", "finance", "warehouse"])
def test_only_an_admin_deletes(api_as, role, order_east):
    user = make_user(role, regions=("华东",))
    before = _state(order_east.pk)
    _shape(api_as(user).delete(f"/api/v1/orders/{order_east.pk}"), 403, "forbidden")
    assert _state(order_east.pk) == before


def test_admin_deletes_a_draft_but_not_a_submitted_order(api_as, sales_east, customer_east):
    admin = api_as(make_user("admin"))
    draft = make_order(actor=sales_east, customer=customer_east)
    r = admin.delete(f"/api/v1/orders/{draft.pk}")
    assert (r.status_code, r.content) == (204, b"")
    assert not Order.objects.filter(pk=draft.pk).exists()
    assert not OrderEvent.objects.filter(order_id=draft.pk).exists()
    submitted = make_order(actor=sales_east, customer=customer_east, status="pending_review")
    before = _state(submitted.pk)
    body = _shape(admin.delete(f"/api/v1/orders/{submitted.pk}"), 409, "illegal_transition")
    assert body["details"] == {"status": "pending_review", "action": "delete"}
    assert _state(submitted.pk) == before
