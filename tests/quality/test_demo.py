"""The QC demo seed: plans for make-to-order products and the helper that passes a produced order
before the demo ships it."""

import pytest

from tests.quality.conftest import produced_order
from zhongshu.core.demo import new_context
from zhongshu.orders.services import order_transition
from zhongshu.quality import demo
from zhongshu.quality.models import InspectionPlan

pytestmark = pytest.mark.django_db


def test_seed_gives_every_make_product_a_plan_and_registers_the_ship_helper(floor):
    # given the demo context with the floor's product and a stock product
    from tests.factories import MaterialFactory

    ctx = new_context()
    ctx.users = {"admin": floor.admin, "qc": floor.qc}
    ctx.materials = [floor.product, MaterialFactory(code="M-STOCK", fulfilment="stock")]

    # when the QC seed runs
    demo.seed(ctx)

    # then the make product has a three-item plan, the stock product none
    plan = InspectionPlan.objects.get(material=floor.product)
    assert [i.kind for i in plan.items.order_by("sequence")] == [
        "measure",
        "attribute",
        "attribute",
    ]
    assert not InspectionPlan.objects.filter(material__code="M-STOCK").exists()
    assert ctx["before_transition"]["ship"] == [demo.pass_inspection]

    # and the helper passes a produced order so the warehouse can ship it
    order = produced_order(floor)
    demo.pass_inspection(ctx, order)
    assert order_transition(actor=floor.warehouse, order_id=order.pk, action="ship").status == (
        "shipped"
    )
