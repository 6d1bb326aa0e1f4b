"""A failed characteristic is reworked at the operation that produces it: CNC, not assembly."""

from decimal import Decimal

import pytest

from tests.quality.conftest import produced_order
from zhongshu.production import services as production
from zhongshu.production.models import Task, WorkCenter
from zhongshu.quality.services import plan_save, record_inspection


@pytest.fixture
def cnc_then_assembly(floor):
    """P-SHAFT turned on CNC (10) and assembled on ASM (20); the diameter comes from CNC."""
    for code, name in (("CNC", "数控车床"), ("ASM", "装配线")):
        production.work_center_create(
            actor=floor.admin, code=code, name=name, hours_per_shift=Decimal(8),
            shifts_per_day=1, members=["qc_operator"],
        )  # fmt: skip
    production.routing_set(
        actor=floor.admin,
        material_code="P-SHAFT",
        operations=[
            {
                "name": "数控车削",
                "work_center": "CNC",
                "setup_hours": "1",
                "run_hours_per_unit": "0.5",
            },
            {
                "name": "装配",
                "work_center": "ASM",
                "setup_hours": "0.5",
                "run_hours_per_unit": "0.2",
            },
        ],
    )
    return floor


def _plan(w, *, repeat: bool):
    plan = plan_save(
        actor=w.admin,
        material="P-SHAFT",
        items=[
            {"name": "外径", "kind": "measure", "target": "20", "lower_tolerance": "0.02",
             "upper_tolerance": "0.01", "unit": "mm", "operation": "10"},
            {"name": "表面划伤", "kind": "attribute"},
        ],
        rework_repeats_following=repeat,
    )  # fmt: skip
    return list(plan.items.order_by("sequence"))


def _fail_diameter(w, order, diameter_item, scratch_item):
    return record_inspection(
        actor=w.qc,
        order_id=order.pk,
        measurements=[
            {"item": diameter_item.pk, "value": "20.05"},
            {"item": scratch_item.pk, "ok": True},
        ],
    )


def test_a_failed_cnc_characteristic_lands_the_rework_on_cnc(cnc_then_assembly):
    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=False)
    assert diameter.operation_sequence == 10
    order = produced_order(w)
    # when the diameter (made at the CNC operation) fails
    _fail_diameter(w, order, diameter, scratch)
    # then one rework task waits on the CNC line, not on assembly (the last operation)
    rework = Task.objects.get(order=order, is_rework=True)
    assert (WorkCenter.objects.get(pk=rework.line_id).code, rework.status) == ("CNC", "pending")
    assert rework.sequence > 20


def test_the_plan_can_repeat_the_operations_after_the_rework(cnc_then_assembly):
    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=True)
    order = produced_order(w)
    _fail_diameter(w, order, diameter, scratch)
    # then CNC rework, then assembly again, queued in that order behind the finished tasks
    again = [
        (WorkCenter.objects.get(pk=t.line_id).code, t.status)
        for t in Task.objects.filter(order=order, is_rework=True).order_by("sequence")
    ]
    assert again == [("CNC", "pending"), ("ASM", "pending")]


def test_a_bad_operation_number_is_refused(cnc_then_assembly):
    from zhongshu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        plan_save(
            actor=cnc_then_assembly.admin,
            material="P-SHAFT",
            items=[{"name": "外径", "kind": "attribute", "operation": "十"}],
        )
    assert [e["field"] for e in refused.value.errors] == ["items[0].operation"]
