"""An order's life through the API, each step by the role SPEC §3 names."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_user

pytestmark = pytest.mark.django_db

STEPS = [
    # (role, action, note, status after)
    ("sales", "submit", "", "pending_review"),
    ("planner", "reject", "交期太紧", "draft"),
    ("sales", "submit", "已调整", "pending_review"),
    ("manager", "confirm", "", "confirmed"),
    ("planner", "schedule", "", "scheduling"),
    ("supervisor", "start", "", "in_production"),
    ("supervisor", "finish", "", "awaiting_qc"),
    ("qc", "qc_fail", "尺寸超差", "in_production"),
    ("supervisor", "finish", "返工完成", "awaiting_qc"),
    ("warehouse", "ship", "", "shipped"),
    ("finance", "complete", "已回款", "completed"),
]


def test_an_order_walks_the_whole_machine_through_the_api(
    api_as, sales_east, customer_east, no_hooks
):
    MaterialFactory(code="M-MAKE", fulfilment="make")
    users = {"sales": sales_east} | {
        r: make_user(r) for r in ("planner", "manager", "supervisor", "qc", "warehouse", "finance")
    }
    clients = {r: api_as(u) for r, u in users.items()}
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    r = clients["sales"].post(
        "/api/v1/orders",
        {"customer": "C-EAST", "due_date": due, "lines": [{"material": "M-MAKE", "quantity": 5}]},
    )
    assert r.status_code == 201
    order = r.json()
    assert order["allowed_actions"] == ["submit", "cancel"]
    for i, (role, action, note, status) in enumerate(STEPS, start=1):
        r = clients[role].post(
            f"/api/v1/orders/{order['id']}/transitions",
            {"action": action, "note": note, "version": order["version"]},
        )
        assert r.status_code == 200, (role, action, r.json())
        moved = r.json()
        assert set(moved) == {"id", "number", "status", "status_label", "version", "reserved",
                              "warnings"}  # fmt: skip
        previous, order = order, clients[role].get(f"/api/v1/orders/{order['id']}").json()
        assert (moved["status"], moved["version"]) == (status, previous["version"] + 1)
        assert (order["status"], order["version"]) == (moved["status"], moved["version"])
        last = order["timeline"][-1]
        assert (
            last["actor"],
            last["action"],
            last["from_status"],
            last["to_status"],
            last["note"],
        ) == (users[role].username, action, previous["status"], status, note)
        assert len(order["timeline"]) == i + 1
    assert order["allowed_actions"] == []


def test_keyset_paging_visits_every_order_once(api_as, sales_east, customer_east):
    from tests.factories import make_order

    numbers = [make_order(actor=sales_east, customer=customer_east).number for _ in range(7)]
    api = api_as(sales_east)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = api.get("/api/v1/orders", params).json()
        seen += [o["number"] for o in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(numbers, reverse=True)
    assert pages == 3
