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


# --- the inspector chooses the rework line --------------------------------------------------------


def _line(code):
    return WorkCenter.objects.get(code=code)


def test_the_inspector_may_send_the_rework_to_another_line_audited_and_reflowed(
    cnc_then_assembly,
):
    from zhongshu.orders.models import OrderEvent
    from zhongshu.production.services.reflow import reflows_diverted

    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=False)
    order = produced_order(w)
    production.work_center_create(
        actor=w.admin, code="RW", name="返修台", hours_per_shift=Decimal(8), shifts_per_day=1
    )
    reflows = []
    # when the diameter fails and the inspector sends the rework to the repair bench
    with reflows_diverted(lambda: reflows.append(1)):
        record_inspection(
            actor=w.qc, order_id=order.pk, rework_line=_line("RW").pk,
            measurements=[{"item": diameter.pk, "value": "20.05"}, {"item": scratch.pk, "ok": True}],
        )  # fmt: skip
    # then the rework waits on that line, with nobody's name on it (the CNC owner is not there)
    rework = Task.objects.get(order=order, is_rework=True)
    assert (rework.work_center.code, rework.owner_id, rework.status) == ("RW", None, "pending")
    # and the choice is in the audit trail and on the timeline, and the schedule reflows
    created = rework.history.get(history_type="+")
    assert (created.history_user_id, created.work_center_id) == (w.qc.pk, _line("RW").pk)
    event = OrderEvent.objects.filter(order=order, action="qc_fail").get()
    assert event.data["rework_line"] == _line("RW").pk
    assert reflows


@pytest.mark.parametrize(
    "choice, message",
    [
        ("idle", "Unknown or inactive production line."),
        ("closed", "This line has no working hours: it cannot take the rework."),
        ("999999", "Unknown or inactive production line."),
        ("CNC", "Unknown or inactive production line."),
    ],
)
def test_a_rework_line_that_cannot_take_it_is_refused_and_nothing_changes(
    cnc_then_assembly, choice, message
):
    from django.utils import translation

    from zhongshu.core.errors import ValidationFailed
    from zhongshu.quality.models import InspectionRecord

    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=False)
    order = produced_order(w)
    idle = production.work_center_create(
        actor=w.admin, code="IDLE", name="停用线", hours_per_shift=Decimal(8), active=False
    )
    closed = production.work_center_create(
        actor=w.admin, code="ZERO", name="无班次线", hours_per_shift=Decimal(0)
    )
    value = {"idle": idle.pk, "closed": closed.pk}.get(choice, choice)
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        record_inspection(
            actor=w.qc, order_id=order.pk, rework_line=value,
            measurements=[{"item": diameter.pk, "value": "20.05"}, {"item": scratch.pk, "ok": True}],
        )  # fmt: skip
    assert [(e["field"], str(e["message"])) for e in refused.value.errors] == [
        ("rework_line", message)
    ]
    order.refresh_from_db()
    assert order.status == "awaiting_qc"
    assert not InspectionRecord.objects.filter(order=order).exists()
    assert not Task.objects.filter(order=order, is_rework=True).exists()


def test_a_rework_line_on_a_passing_inspection_is_refused(cnc_then_assembly):
    from zhongshu.core.errors import ValidationFailed

    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=False)
    order = produced_order(w)
    with pytest.raises(ValidationFailed) as refused:
        record_inspection(
            actor=w.qc, order_id=order.pk, rework_line=_line("ASM").pk,
            measurements=[{"item": diameter.pk, "value": "20"}, {"item": scratch.pk, "ok": True}],
        )  # fmt: skip
    assert [e["field"] for e in refused.value.errors] == ["rework_line"]


def test_the_api_takes_the_rework_line_and_refuses_a_bad_one_in_the_error_shape(
    cnc_then_assembly, api_as
):
    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=False)
    order = produced_order(w)
    qc = api_as(w.qc)
    body = {
        "order_id": order.pk,
        "measurements": [{"item": diameter.pk, "value": "20.05"}, {"item": scratch.pk, "ok": True}],
    }
    bad = qc.post("/api/v1/qc/inspections", {**body, "rework_line": 999999})
    assert bad.status_code == 422, bad.content
    assert bad.json()["code"] == "validation_error"
    assert [e["field"] for e in bad.json()["details"]["errors"]] == ["rework_line"]
    good = qc.post("/api/v1/qc/inspections", {**body, "rework_line": _line("ASM").pk})
    assert good.status_code == 201, good.content
    rework = Task.objects.get(order=order, is_rework=True)
    assert rework.work_center.code == "ASM"


def test_the_failure_form_offers_the_lines_and_sends_the_rework_to_the_chosen_one(
    cnc_then_assembly,
):
    from django.test import Client

    w = cnc_then_assembly
    diameter, scratch = _plan(w, repeat=False)
    order = produced_order(w)
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(w.qc)
    html = client.get(f"/qc/orders/{order.pk}/").content.decode()
    assert 'name="rework_line"' in html and "产生缺陷工序所在的产线" in html
    assert f'<option value="{_line("ASM").pk}">ASM 装配线</option>' in html
    # a CNC failure without a choice goes to CNC; this one is sent to assembly
    response = client.post(
        f"/qc/orders/{order.pk}/",
        {f"item_{diameter.pk}": "20.05", f"item_{scratch.pk}": "ok",
         "rework_line": str(_line("ASM").pk)},
    )  # fmt: skip
    assert response.status_code == 302
    assert Task.objects.get(order=order, is_rework=True).work_center.code == "ASM"
