import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.orders import hooks
from zhongshu.orders.exceptions import TransitionBlocked
from zhongshu.orders.models import Order


def _buttons(html: str) -> list[str]:
    return re.findall(r'data-action="(\w+)"', html)


@pytest.fixture
def pending(sales_east, customer_east, shaft):
    return make_order(
        actor=sales_east,
        customer=customer_east,
        status="pending_review",
        lines=[{"material": shaft.code, "quantity": "2"}],
    )


def test_detail_shows_facts_lines_and_timeline(client_as, sales_east, pending):
    html = client_as(sales_east).get(f"/orders/{pending.pk}/").content.decode()

    assert pending.number in html
    assert "苏州精工机械" in html
    assert "华东" in html
    assert '<span class="badge badge-amber">待审核</span>' in html
    assert "M-SHAFT" in html
    assert "¥176.00" in html  # 2 × 88.00
    assert "¥198.88" in html  # with 13% tax
    assert "创建了订单" in html
    assert re.search(
        r"提交审核\s*<span class=\"flow\"><span class=\"badge badge-plain\">草稿</span> → "
        r"<span class=\"badge badge-plain\">待审核</span>",
        html,
    )


def test_a_rule_entry_in_the_timeline_is_named_in_chinese(client_as, sales_east, pending):
    from zhongshu.orders.models import OrderEvent

    OrderEvent.objects.create(order=pending, action="rule", note="临期未开工提级")
    html = client_as(sales_east).get(f"/orders/{pending.pk}/").content.decode()
    assert "规则调整" in html and "临期未开工提级" in html
    assert not re.search(r">\s*rule\s*<", html)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (("sales",), ["cancel"]),
        (("planner",), ["reject", "confirm", "cancel"]),
        (("warehouse",), []),
        (("finance",), []),
    ],
)
def test_only_allowed_actions_have_buttons(client_as, east, pending, roles, expected):
    user = make_user(*roles, regions=("华东",))
    if roles == ("sales",):
        user = pending.sales_owner

    html = client_as(user).get(f"/orders/{pending.pk}/").content.decode()

    assert _buttons(html) == expected


def test_reason_box_only_for_actions_that_need_one(client_as, planner, pending):
    html = client_as(planner).get(f"/orders/{pending.pk}/").content.decode()

    assert 'id="note-reject"' in html
    assert 'id="note-cancel"' in html
    assert 'id="note-confirm"' not in html
    assert f'name="version" value="{pending.version}"' in html


def test_transition_post_moves_the_order_and_says_so(client_as, planner, pending):
    client = client_as(planner)

    response = client.post(
        f"/orders/{pending.pk}/transition/", {"action": "confirm", "version": pending.version}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{pending.pk}/"
    pending.refresh_from_db()
    assert pending.status == "confirmed"
    html = client.get(response["Location"]).content.decode()
    assert "已完成：确认" in html
    assert '<span class="badge badge-blue">已确认</span>' in html


def test_stale_transition_is_refused_with_a_message(client_as, planner, pending):
    client = client_as(planner)

    response = client.post(
        f"/orders/{pending.pk}/transition/",
        {"action": "confirm", "version": pending.version - 1},
        follow=True,
    )

    assert "其他人修改了此记录" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending_review"


def test_illegal_transition_is_explained(client_as, admin_user, pending):
    response = client_as(admin_user).post(
        f"/orders/{pending.pk}/transition/", {"action": "ship"}, follow=True
    )

    html = response.content.decode()
    assert "无法对状态为“待审核”的订单执行“发货”" in html
    pending.refresh_from_db()
    assert pending.status == "pending_review"


def test_missing_reason_is_refused(client_as, planner, pending):
    response = client_as(planner).post(
        f"/orders/{pending.pk}/transition/", {"action": "reject", "note": "  "}, follow=True
    )

    assert "此操作需要填写原因" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending_review"


def test_action_of_another_role_is_refused(client_as, planner, pending):
    response = client_as(planner).post(
        f"/orders/{pending.pk}/transition/", {"action": "ship"}, follow=True
    )

    assert "您没有执行此操作的权限" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending_review"


def test_unknown_action_is_a_message_not_a_500(client_as, planner, pending):
    response = client_as(planner).post(
        f"/orders/{pending.pk}/transition/", {"action": "explode"}, follow=True
    )

    assert response.status_code == 200
    assert "未知操作" in response.content.decode()


def test_blocked_transition_shows_reasons_and_shortages(client_as, planner, pending):
    def short(ctx):
        raise TransitionBlocked(
            "库存不足",
            details={
                "reasons": ["审批未完成"],
                "shortages": [{"material": "M-SHAFT", "requested": "2", "available": "0.5"}],
            },
        )

    hooks.guard("confirm")(short)
    try:
        response = client_as(planner).post(
            f"/orders/{pending.pk}/transition/", {"action": "confirm"}, follow=True
        )
    finally:
        hooks._guards["confirm"].remove(short)

    html = response.content.decode()
    assert "审批未完成" in html
    assert "物料 M-SHAFT 库存不足：需要 2，可用 0.5。" in html
    assert Order.objects.get(pk=pending.pk).status == "pending_review"


def test_detail_query_count_does_not_grow_with_lines_or_tasks(
    client_as, sales_east, customer_east, planner
):
    # given two confirmed orders, one with 2 make lines and one with 20 (each line gets a task
    # sheet, so every panel on the page has 10× more to show for the second)
    def confirmed_order(n_lines):
        materials = [MaterialFactory(fulfilment="make") for _ in range(n_lines)]
        return make_order(
            actor=sales_east,
            customer=customer_east,
            lines=[{"material": m.code, "quantity": "1"} for m in materials],
            status="confirmed",
        )

    small, large = confirmed_order(2), confirmed_order(20)
    client = client_as(planner)
    client.get(f"/orders/{small.pk}/")

    # when the planner opens each order
    counts = []
    for order in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/orders/{order.pk}/")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))

    # then the page costs the same number of queries whatever the size of the order: the order,
    # its lines and timeline, each app's panel and the header counters, never one per line or task
    assert counts[0] == counts[1], counts
    # 25 with the print-links panel and the activity count; the stock-and-shipments panel adds
    # two (the lines with their grouped stock and holds, the shipments)
    assert counts[1] <= 27, counts
