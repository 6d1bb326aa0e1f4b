"""Make-to-order lines through their components: explosion, the shortage rule at submit,
reservation on confirm, issue at the first operation, release on cancel, scrap."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, give_bom, make_order, make_user, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.catalog.models import Material
from zhongshu.inventory import posting
from zhongshu.inventory.exceptions import InsufficientStock
from zhongshu.inventory.models import ErpPosting, Reservation, StockMovement
from zhongshu.inventory.services.components import components_adjust_for_scrap
from zhongshu.orders.services import order_transition
from zhongshu.production.bom import explode
from zhongshu.production.models import Task
from zhongshu.production.services import task_start
from zhongshu.rules.exceptions import RuleBlocked
from zhongshu.rules.facts import order_facts
from zhongshu.rules.models import FollowUp, Rule
from zhongshu.rules.services import run_deferred


@pytest.fixture
def planner(db):
    return make_user("planner")


@pytest.fixture
def shaft(warehouse, keeper):
    """SHAFT (make) ← 2 × BAR-45 kg at 10 % scrap: 2.2 kg of bar per shaft; 200 kg on hand."""
    bar = MaterialFactory(code="BAR-45", kind="raw", unit="kg")
    put_stock(bar, 200, actor=keeper)
    product = MaterialFactory(code="SHAFT", fulfilment="make")
    give_bom(product, (bar, "2", "10"))
    return product


def _order(sales, customer, qty, code="SHAFT", status=None):
    return make_order(
        actor=sales, customer=customer, lines=[{"material": code, "quantity": str(qty)}],
        status=status,
    )  # fmt: skip


def _draft(sales, customer, qty, code="SHAFT"):
    return _order(sales, customer, qty, code)


def test_explode_goes_down_every_level_with_scrap(db):
    # given ASSY ← 2 × SUB (5 % scrap) ← 3 × RAW (10 % scrap) and ASSY ← 1 × BOLT
    raw, bolt = MaterialFactory(code="RAW"), MaterialFactory(code="BOLT")
    sub = MaterialFactory(code="SUB")
    assy = MaterialFactory(code="ASSY")
    give_bom(sub, (raw, 3, 10))
    give_bom(assy, (sub, 2, 5), (bolt, 1, 0))
    # when 10 assemblies are exploded / then only the leaves are needed, scrap compounded
    assert explode({assy.pk: Decimal(10)}) == {
        raw.pk: Decimal(10) * 2 * Decimal("1.05") * 3 * Decimal("1.1"),
        bolt.pk: Decimal(10),
    }
    assert explode({raw.pk: Decimal(5)}) == {}


@pytest.mark.default_rules
def test_second_order_for_the_same_bar_is_refused_naming_the_shortage(
    shaft, sales_east, customer_east, planner
):
    # given a first order for 60 shafts (132 kg) confirmed: its bar is held
    first = _draft(sales_east, customer_east, 60)
    order_transition(actor=sales_east, order_id=first.pk, action="submit")
    order_transition(actor=planner, order_id=first.pk, action="confirm")
    assert level_of(Reservation.objects.get(order=first).level.material).reserved == Decimal(132)
    # when a second order for 40 shafts (88 kg, 68 kg left) is submitted
    second = _draft(sales_east, customer_east, 40)
    with pytest.raises(RuleBlocked) as refused:
        order_transition(actor=sales_east, order_id=second.pk, action="submit")
    # then it is refused with the exact shortage, and purchasing is asked with the list
    assert refused.value.details["shortages"] == [{"material": "BAR-45", "short": "20"}]
    assert run_deferred() == 1
    task = FollowUp.objects.get(order=second)
    assert task.assignee_role == "purchasing"
    assert task.title.endswith("缺料 BAR-45 −20")


@pytest.mark.default_rules
def test_without_the_block_action_the_rule_only_warns(shaft, sales_east, customer_east, planner):
    # given the shipped rule turned into a warning (its follow-up kept, its block removed)
    rule = Rule.objects.get(builtin_key="stock_shortage_block")
    rule.actions = [a for a in rule.actions if a["type"] != "block"]
    rule.save()
    # when an order needing 330 kg of the 200 kg is submitted / then it goes through
    order = _draft(sales_east, customer_east, 150)
    assert order_transition(actor=sales_east, order_id=order.pk, action="submit").status == (
        "pending_review"
    )
    assert order_facts([order.pk])[order.pk]["component_shortage"] is True


def test_confirm_holds_components_and_start_issues_them(
    shaft, sales_east, customer_east, planner, keeper
):
    order = _order(sales_east, customer_east, 50, status="pending_review")
    bar = Material.objects.get(code="BAR-45")
    # when confirmed / then 110 kg is held for the make line, nothing issued yet
    order_transition(actor=planner, order_id=order.pk, action="confirm")
    held = Reservation.objects.get(order=order)
    assert (held.for_component, held.quantity, held.order_line.material.code) == (
        True,
        Decimal(110),
        "SHAFT",
    )
    assert (level_of(bar).on_hand, level_of(bar).reserved) == (Decimal(200), Decimal(110))
    # when the first operation starts / then the bar leaves stock as a material issue
    task = Task.objects.get(order=order)
    task_start(actor=make_user("supervisor"), task_id=task.pk)
    assert (level_of(bar).on_hand, level_of(bar).reserved) == (Decimal(90), Decimal(0))
    issue = StockMovement.objects.get(order=order, kind="issue")
    assert (issue.material.code, issue.on_hand_delta) == ("BAR-45", Decimal(-110))
    held.refresh_from_db()
    assert (held.status, held.consumed) == ("consumed", Decimal(110))
    assert_ledger_matches_levels()


def test_cancel_releases_the_components(shaft, sales_east, customer_east, planner):
    order = _order(sales_east, customer_east, 10, status="confirmed")
    assert level_of(Material.objects.get(code="BAR-45")).reserved == 22
    order_transition(actor=planner, order_id=order.pk, action="cancel", note="客户取消")
    bar = Material.objects.get(code="BAR-45")
    assert level_of(bar).reserved == 0
    assert Reservation.objects.get(order=order).status == "released"
    assert_ledger_matches_levels()


def test_a_design_change_adjusts_the_held_components(shaft, sales_east, customer_east):
    from zhongshu.inventory.services import rereserve_order

    order = _order(sales_east, customer_east, 10, status="confirmed")
    bar = Material.objects.get(code="BAR-45")
    # when the bill changes to 3 kg per shaft and the order is re-reserved
    give_bom(shaft, (bar, "3", "0"))
    rereserve_order(order=order)
    # then 30 kg is held (8 more)
    assert level_of(bar).reserved == 30
    assert_ledger_matches_levels()


def test_confirm_refuses_short_stock_lines_and_holds_no_component(
    shaft, sales_east, customer_east, planner
):
    # given an order for 50 shafts (110 kg) and one stock part that is not in stock
    stocky = MaterialFactory(code="STOCKY")
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "SHAFT", "quantity": "50"}, {"material": "STOCKY", "quantity": "1"}],
        status="pending_review",
    )
    # when confirmed / then refused for the stock line, and no bar is held either
    with pytest.raises(InsufficientStock) as refused:
        order_transition(actor=planner, order_id=order.pk, action="confirm")
    assert refused.value.details["shortages"] == [
        {"material": "STOCKY", "requested": "1", "available": "0"}
    ]
    assert not Reservation.objects.exists()
    assert level_of(Material.objects.get(code="BAR-45")).reserved == 0
    # once the part is there, both are held together
    put_stock(stocky, 1)
    order_transition(actor=planner, order_id=order.pk, action="confirm")
    assert sorted((r.for_component, r.quantity) for r in Reservation.objects.all()) == [
        (False, Decimal(1)),
        (True, Decimal(110)),
    ]
    assert_ledger_matches_levels()


def test_confirm_refuses_a_make_line_short_of_components_and_changes_nothing(
    shaft, sales_east, customer_east, planner
):
    from django.utils import translation

    from zhongshu.orders.models import OrderEvent

    # given an order for 100 shafts (220 kg of the 200), submitted while the rule is off
    order = _order(sales_east, customer_east, 100, status="pending_review")
    events = OrderEvent.objects.count()
    # when confirmed / then refused in Chinese, naming the bar and the 20 kg it lacks
    with translation.override("zh-hans"), pytest.raises(InsufficientStock) as refused:
        order_transition(actor=planner, order_id=order.pk, action="confirm")
    assert str(refused.value.message) == "按单生产行的原材料不足，无法确认：BAR-45 缺 20 kg。"
    assert refused.value.details["shortages"] == [
        {"material": "BAR-45", "unit": "kg", "requested": "220", "available": "200", "short": "20"}
    ]
    # and nothing changed: no hold, no movement, no timeline entry, the order still pending
    bar = Material.objects.get(code="BAR-45")
    assert (level_of(bar).on_hand, level_of(bar).reserved) == (Decimal(200), Decimal(0))
    assert not Reservation.objects.exists()
    assert not StockMovement.objects.exclude(kind="receipt").exists()
    assert OrderEvent.objects.count() == events
    order.refresh_from_db()
    assert order.status == "pending_review"
    assert_ledger_matches_levels()


def test_a_second_make_order_competing_for_the_bar_is_refused_with_the_exact_shortage(
    shaft, sales_east, customer_east, planner
):
    # given two pending orders: 60 shafts (132 kg) and 40 shafts (88 kg) of the 200 kg
    first = _order(sales_east, customer_east, 60, status="pending_review")
    second = _order(sales_east, customer_east, 40, status="pending_review")
    order_transition(actor=planner, order_id=first.pk, action="confirm")
    # when the second is confirmed / then refused: 68 kg left, 20 kg missing
    with pytest.raises(InsufficientStock) as refused:
        order_transition(actor=planner, order_id=second.pk, action="confirm")
    assert refused.value.details["shortages"] == [
        {"material": "BAR-45", "unit": "kg", "requested": "88", "available": "68", "short": "20"}
    ]
    assert str(refused.value.message) == (
        "Not enough components for the make-to-order lines: BAR-45 short by 20 kg."
    )
    assert [r.quantity for r in Reservation.objects.filter(order=second)] == []
    assert level_of(Material.objects.get(code="BAR-45")).reserved == Decimal(132)


def test_the_api_refuses_the_confirmation_with_the_json_error_shape(
    shaft, sales_east, customer_east, planner, api_as
):
    order = _order(sales_east, customer_east, 100, status="pending_review")
    response = api_as(planner).post(
        f"/api/v1/orders/{order.pk}/transitions",
        {"action": "confirm", "version": order.version},
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 409, response.content
    assert response.json() == {
        "code": "insufficient_stock",
        "message": "按单生产行的原材料不足，无法确认：BAR-45 缺 20 kg。",
        "details": {
            "shortages": [
                {"material": "BAR-45", "unit": "kg", "requested": "220", "available": "200",
                 "short": "20"}
            ]
        },
    }  # fmt: skip
    assert not Reservation.objects.exists()


def test_scrap_raises_the_requirement_and_flags_a_new_shortage(
    shaft, sales_east, customer_east, planner
):
    # given an order holding 198 of the 200 kg (90 shafts) and started on the floor
    order = _order(sales_east, customer_east, 90, status="confirmed")
    task_start(actor=make_user("supervisor"), task_id=Task.objects.get(order=order).pk)
    assert order_facts([order.pk])[order.pk]["component_shortage"] is False
    line = order.lines.get()
    # when 2 shafts are scrapped at an operation (4.4 kg more, 2 kg left)
    short = components_adjust_for_scrap(
        actor=make_user("operator"), order_line_id=line.pk, quantity="2", reason="车削尺寸超差"
    )
    # then what is there is issued at once, and the rest is a shortage the rules see
    assert short == [
        {"material": "BAR-45", "unit": "kg", "requested": "4.4", "available": "2", "short": "2.4"}
    ]
    bar = Material.objects.get(code="BAR-45")
    assert (level_of(bar).on_hand, level_of(bar).reserved) == (Decimal(0), Decimal(0))
    facts = order_facts([order.pk])[order.pk]
    assert facts["component_shortage"] is True
    assert [(s["material"], s["short"]) for s in facts["shortage_lines"]] == [
        ("BAR-45", Decimal("2.4"))
    ]
    assert_ledger_matches_levels()


def test_scrap_reported_on_the_floor_holds_components_and_an_undo_gives_them_back(
    shaft, sales_east, customer_east, planner
):
    from zhongshu.core.signals import scrap_withdrawn
    from zhongshu.inventory.models import ComponentScrap
    from zhongshu.production.services import task_finish

    # given an order of 90 shafts holding 198 of the 200 kg, its first operation under way
    order = _order(sales_east, customer_east, 90, status="confirmed")
    supervisor = make_user("supervisor")
    task = Task.objects.filter(order=order).order_by("sequence").first()
    task_start(actor=supervisor, task_id=task.pk)
    # when the operation finishes with 2 shafts scrapped
    task_finish(actor=supervisor, task_id=task.pk, good_quantity="88", scrap_quantity="2")
    # then their 4.4 kg are needed again: 2 kg issued at once, 2.4 kg short for the rules
    assert list(ComponentScrap.objects.values_list("quantity", flat=True)) == [Decimal(2)]
    facts = order_facts([order.pk])[order.pk]
    assert [(s["material"], s["short"]) for s in facts["shortage_lines"]] == [
        ("BAR-45", Decimal("2.4"))
    ]
    # and when the finish is taken back (an undo announces it so), the scrap no longer counts
    scrap_withdrawn.send(
        sender=Task, actor=supervisor, task_id=task.pk, order_id=order.pk,
        order_line_id=order.lines.get().pk, material_id=None, scrap_quantity=Decimal(2),
        good_quantity=Decimal(88), threshold_percent=Decimal(5), over_threshold=False,
    )  # fmt: skip
    assert not ComponentScrap.objects.exists()
    assert order_facts([order.pk])[order.pk]["component_shortage"] is False
    assert_ledger_matches_levels()


def test_scrap_refuses_bad_input(shaft, sales_east, customer_east):
    from zhongshu.core.errors import NotFound, ValidationFailed

    order = _draft(sales_east, customer_east, 1)
    for bad in ("-1", "NaN", "Infinity", "0.0001", "1E+999999999"):
        with pytest.raises(ValidationFailed):
            components_adjust_for_scrap(
                actor=None, order_line_id=order.lines.get().pk, quantity=bad
            )
    with pytest.raises(NotFound):
        components_adjust_for_scrap(actor=None, order_line_id=999999, quantity="1")


def _three_level_order(sales, customer, keeper, width: int, tag: str):
    """ASSY ← SUB-i ← PART-i ← RAW-i for i < width (5 % scrap on the bar), 1000 of each raw."""
    assy = MaterialFactory(code=f"ASSY{tag}", fulfilment="make")
    subs = []
    for i in range(width):
        raw = MaterialFactory(code=f"RAW{tag}-{i}", kind="raw")
        put_stock(raw, 1000, actor=keeper)
        part = MaterialFactory(code=f"PART{tag}-{i}")
        give_bom(part, (raw, 2, 5))
        sub = MaterialFactory(code=f"SUB{tag}-{i}")
        give_bom(sub, (part, 1, 0))
        subs.append((sub, 1, 0))
    give_bom(assy, *subs)
    return _draft(sales, customer, 5, code=assy.code)


@pytest.mark.default_rules
def test_submit_and_confirm_of_a_three_level_order_stay_bounded(
    warehouse, keeper, sales_east, customer_east, planner
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for width, tag in ((2, "A"), (8, "B")):
        order = _three_level_order(sales_east, customer_east, keeper, width, tag)
        with CaptureQueriesContext(connection) as submit:
            order_transition(actor=sales_east, order_id=order.pk, action="submit")
        with CaptureQueriesContext(connection) as confirm:
            order_transition(actor=planner, order_id=order.pk, action="confirm")
        assert Reservation.objects.filter(order=order, for_component=True).count() == width
        counts.append((len(submit), len(confirm)))
    # submit reads a fixed number of queries whatever the width of the bill; confirm adds only
    # the ledger's one level update per extra component held
    (submit_2, confirm_2), (submit_8, confirm_8) = counts
    assert submit_8 <= submit_2 <= 25, counts
    assert confirm_8 - confirm_2 <= 6 and confirm_2 <= 50, counts


def test_the_material_issue_goes_to_tplus_as_an_issue_document(
    sim, flange, keeper, sales_east, customer_east, planner
):
    # given T+ connected, 10 FL-50 here and in T+, and a product made of 2 FL-50 each
    product = MaterialFactory(code="PUMP", fulfilment="make")
    give_bom(product, (flange, "2", "0"))
    order = _order(sales_east, customer_east, 3, code="PUMP", status="confirmed")
    # when the first operation starts
    task_start(actor=make_user("supervisor"), task_id=Task.objects.get(order=order).pk)
    # then the 6 flanges leave stock as one issue document posted to T+
    issue = StockMovement.objects.get(order=order, kind="issue")
    [row] = ErpPosting.objects.filter(movement=issue)
    assert row.document == "other_issue"
    assert posting.drain().posted == 1
    assert sim.on_hand("01", "FL-50") == 4


def test_bar_due_before_production_starts_counts_at_submit(shaft, sales_east, customer_east):
    import datetime as dt

    from django.utils import timezone

    from zhongshu.planning.services import purchase_order_create

    # given an order for 100 shafts (220 kg of the 200), due in 30 days
    order = _draft(sales_east, customer_east, 100)
    assert [s["short"] for s in order_facts([order.pk])[order.pk]["shortage_lines"]] == [20]

    def po(days):
        return purchase_order_create(
            actor=make_user("purchasing"), material="BAR-45", quantity="50",
            due_date=timezone.localdate() + dt.timedelta(days=days),
        )  # fmt: skip

    # when 50 kg are due after the order's due date / then still short
    po(40)
    assert order_facts([order.pk])[order.pk]["component_shortage"] is True
    # when 50 kg are due before / then covered
    po(10)
    assert order_facts([order.pk])[order.pk]["component_shortage"] is False


def test_a_confirmation_again_counts_what_a_changed_line_gives_back(
    shaft, sales_east, customer_east, planner
):
    from zhongshu.inventory.services import order_reserve
    from zhongshu.orders.models import OrderLine

    # given an order holding 110 kg of the 200 kg bar for 50 shafts (90 kg left)
    order = _order(sales_east, customer_east, 50, status="confirmed")
    bar = Material.objects.get(code="BAR-45")
    pin = MaterialFactory(code="PIN", fulfilment="make")
    give_bom(pin, (bar, "1", "0"))
    # when its shafts drop to 20 (44 kg: 66 kg given back) and 130 pins (130 kg) are added
    OrderLine.objects.filter(order=order).update(quantity=20)
    OrderLine.objects.create(order=order, line_no=2, material=pin, quantity=130,
                             unit_price=0, amount=0, fulfilment="make")  # fmt: skip
    order_reserve(order=order, actor=planner)

    # then the 66 kg given back counts: 174 kg held, nothing refused
    assert level_of(bar).reserved == Decimal(174)
    assert_ledger_matches_levels()
