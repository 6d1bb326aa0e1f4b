"""Bulk actions on selected orders (``POST /api/v1/orders/bulk-transitions`` and the order list's
form): each order judged on its own through ``orders_transition_many``, a result per order, one
timeline event and one history row per order moved, nothing written for a refused one."""

import json

import pytest

from tests.factories import CustomerFactory, MaterialFactory, make_user, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from tests.support.bulk_orders import pending_orders
from zhongshu.accounts.services import token_create_for
from zhongshu.catalog.models import Fulfilment
from zhongshu.inventory.models import Reservation
from zhongshu.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db(transaction=False)

URL = "/api/v1/orders/bulk-transitions"


def _auth(user):
    token, _ = token_create_for(actor=user, user_id=user.pk, name="bulk", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client, user, body):
    return client.post(URL, json.dumps(body), content_type="application/json", **_auth(user))


@pytest.fixture
def world(east):
    sales = make_user("sales", regions=("华东",), username="bulk-sales")
    customer = CustomerFactory(code="C-BULK", region=east)
    bolt = MaterialFactory(code="BOLT", fulfilment=Fulfilment.STOCK, standard_price="10")
    return {"sales": sales, "customer": customer, "bolt": bolt}


def _history(ids):
    return Order.history.filter(id__in=ids).count()


def test_five_hundred_orders_compete_for_three_hundred_bolts(client, world):
    """Given 500 orders of one bolt each and 300 bolts, when all are confirmed at once, then the
    first 300 selected are confirmed and reserve one bolt each, the last 200 are refused as
    short of stock and left untouched, and the ledger still equals the levels."""
    put_stock(world["bolt"], 300)
    ids = pending_orders(actor=world["sales"], customer=world["customer"], material=world["bolt"],
                         n=500)  # fmt: skip
    planner = make_user("planner")
    events, history = OrderEvent.objects.count(), _history(ids)

    response = _post(client, planner, {"action": "confirm", "order_ids": ids})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["done"], body["refused"]) == (300, 200)
    assert [r["order_id"] for r in body["results"]] == ids
    assert [r["result"] for r in body["results"]] == ["done"] * 300 + ["refused"] * 200
    assert {r["code"] for r in body["results"][300:]} == {"insufficient_stock"}
    assert {r["message"] for r in body["results"][300:]} == {"可用库存不足。"}
    statuses = dict(Order.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[i] for i in ids] == ["confirmed"] * 300 + ["pending_review"] * 200
    level = level_of(world["bolt"])
    assert (level.on_hand, level.reserved) == (300, 300)
    assert Reservation.objects.filter(order_id__in=ids[300:]).count() == 0
    assert_ledger_matches_levels()
    assert OrderEvent.objects.count() - events == 300  # one timeline event per confirmed order
    assert _history(ids) - history == 300


def test_each_order_is_judged_on_its_own(client, world):
    """An order already confirmed, one out of the actor's scope and an unknown id are refused
    with their own reasons; the rest are submitted."""
    north = CustomerFactory(code="C-N", region__name="华北")
    admin = make_user("admin")
    drafts = [
        Order.objects.get(pk=i)
        for i in pending_orders(
            actor=admin, customer=world["customer"], material=world["bolt"], n=3
        )
    ]
    other = pending_orders(actor=admin, customer=north, material=world["bolt"], n=1)[0]
    Order.objects.filter(pk__in=[d.pk for d in drafts[:2]]).update(status="draft")

    response = _post(client, world["sales"], {
        "action": "submit", "order_ids": [drafts[0].pk, drafts[2].pk, other, 999_999, drafts[1].pk],
    })  # fmt: skip

    assert response.status_code == 200
    results = {r["order_id"]: (r["result"], r["code"]) for r in response.json()["results"]}
    assert results == {
        drafts[0].pk: ("done", ""),
        drafts[2].pk: ("refused", "illegal_transition"),
        other: ("refused", "not_found"),  # another region's order does not exist for sales
        999_999: ("refused", "not_found"),
        drafts[1].pk: ("done", ""),
    }


def test_cancel_needs_the_reason_for_every_order(client, world):
    manager = make_user("manager")
    ids = pending_orders(actor=world["sales"], customer=world["customer"], material=world["bolt"],
                         n=2)  # fmt: skip
    refused = _post(client, manager, {"action": "cancel", "order_ids": ids}).json()
    assert [(r["result"], r["code"]) for r in refused["results"]] == [
        ("refused", "validation_error")
    ] * 2
    assert refused["results"][0]["message"] == "此操作需要填写原因。"
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "pending_review"
    }

    done = _post(client, manager, {"action": "cancel", "order_ids": ids, "reason": "客户取消"})
    assert done.json()["done"] == 2
    assert list(OrderEvent.objects.filter(order_id__in=ids, action="cancel")
                .values_list("note", flat=True)) == ["客户取消"] * 2  # fmt: skip


def test_assign_owner_hands_orders_over_with_an_entry_each(client, world):
    manager = make_user("manager")
    other_sales = make_user("sales", regions=("华东",), username="bulk-sales-2")
    warehouse = make_user("warehouse")
    ids = pending_orders(actor=world["sales"], customer=world["customer"], material=world["bolt"],
                         n=3)  # fmt: skip
    history = _history(ids)

    body = _post(client, manager, {"action": "assign_owner", "order_ids": ids,
                                   "owner": other_sales.pk, "reason": "调岗"}).json()  # fmt: skip

    assert body["done"] == 3
    assert set(Order.objects.filter(pk__in=ids).values_list("sales_owner", flat=True)) == {
        other_sales.pk
    }
    events = OrderEvent.objects.filter(order_id__in=ids, action="assign_owner")
    assert sorted(e.order_id for e in events) == ids
    assert {e.data["owner"] for e in events} == {other_sales.pk}
    assert _history(ids) - history == 3

    # a warehouse clerk cannot own orders: every order is refused, nothing changes
    refused = _post(client, manager, {"action": "assign_owner", "order_ids": ids,
                                      "owner": warehouse.pk}).json()  # fmt: skip
    assert {(r["result"], r["code"]) for r in refused["results"]} == {
        ("refused", "owner_not_allowed")
    }
    assert _history(ids) - history == 3

    # sales may not hand orders over at all
    assert _post(client, world["sales"], {"action": "assign_owner", "order_ids": ids,
                                          "owner": other_sales.pk}).status_code == 403  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"action": "confirm", "order_ids": list(range(1, 502))},  # 501 ids
        {"action": "confirm", "order_ids": []},
        {"action": "confirm", "order_ids": [1], "force": True},  # unknown field
        {"action": "ship", "order_ids": [1]},  # not a bulk action
        {"action": "confirm", "order_ids": ["x"]},
    ],
)
def test_bad_requests_are_refused_whole(client, world, body):
    ids = pending_orders(actor=world["sales"], customer=world["customer"], material=world["bolt"],
                         n=1)  # fmt: skip
    before = OrderEvent.objects.count()
    response = _post(client, make_user("planner"), body)
    assert response.status_code == 422
    assert OrderEvent.objects.count() == before
    assert Order.objects.get(pk=ids[0]).status == "pending_review"


def test_the_order_list_form_answers_a_result_per_order(client, world):
    put_stock(world["bolt"], 1)
    ids = pending_orders(actor=world["sales"], customer=world["customer"], material=world["bolt"],
                         n=2)  # fmt: skip
    planner = make_user("planner")
    client.force_login(planner)

    page = client.get("/orders/?view=0")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="bulk-form"' in html and f'name="order" value="{ids[0]}"' in html

    response = client.post("/orders/bulk/", {"action": "confirm", "order": ids},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="bulk-results")  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="ok"') == 1 and html.count('class="refused"') == 1
    assert "insufficient_stock" in html
    assert list(Order.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True)) \
        == ["confirmed", "pending_review"]  # fmt: skip
