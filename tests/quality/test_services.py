"""QC use cases: a passing inspection unlocks shipping, a failing one sends the order back to
production with a nonconformance and a rework task, bad input changes nothing."""

import pytest
from django.db import transaction
from django.utils import translation

from tests.factories import MaterialFactory, make_order
from tests.quality.conftest import good, produced_order, run_open_tasks
from zhongshu.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from zhongshu.core.signals import user_activity
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.services import order_transition
from zhongshu.production.models import Task
from zhongshu.quality.exceptions import NotAwaitingQc, QcNotPassed
from zhongshu.quality.models import InspectionRecord, Measurement, Nonconformance
from zhongshu.quality.services import nonconformance_close, plan_save, record_inspection

pytestmark = pytest.mark.django_db


def _state(order):
    order.refresh_from_db()
    return (
        order.status,
        order.version,
        InspectionRecord.objects.count(),
        Measurement.objects.count(),
        Nonconformance.objects.count(),
        Task.objects.filter(order=order).count(),
        OrderEvent.objects.filter(order=order).count(),
    )


def test_all_items_in_tolerance_pass_and_unlock_shipping(floor, awaiting):
    # given an order awaiting QC whose diameter is inside 19.98–20.01 and has no scratch
    # when the inspector records it
    record = record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor))

    # then the record passed with one passing measurement per plan item, the order still waits
    assert record.result == "pass"
    assert [(m.name, m.passed) for m in record.measurements.order_by("sequence")] == [
        ("外径", True),
        ("表面划伤", True),
    ]
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_qc"
    assert not Nonconformance.objects.exists()
    # and the warehouse may now ship it
    shipped = order_transition(actor=floor.warehouse, order_id=awaiting.pk, action="ship")
    assert shipped.status == "shipped"


def test_ship_is_refused_until_an_inspection_passed(floor, awaiting):
    # given an order awaiting QC without any inspection
    before = _state(awaiting)

    # when the warehouse tries to ship it
    with pytest.raises(QcNotPassed) as refused:
        order_transition(actor=floor.warehouse, order_id=awaiting.pk, action="ship")

    # then it is refused with a clear code, and nothing changed
    assert refused.value.code == "qc_not_passed"
    assert refused.value.http_status == 409
    assert _state(awaiting) == before


def test_a_value_out_of_tolerance_fails_and_sends_the_order_to_rework(floor, awaiting):
    # given an order awaiting QC with two finished tasks
    tasks_before = Task.objects.filter(order=awaiting).count()

    # when the inspector measures 20.02 mm (upper limit 20.01)
    with translation.override("en"):
        record = record_inspection(
            actor=floor.qc,
            order_id=awaiting.pk,
            measurements=good(floor, diameter="20.02"),
            note="批量偏大",
        )

    # then the record failed on the diameter only
    assert record.result == "fail"
    assert {m.name: m.passed for m in record.measurements.all()} == {
        "外径": False,
        "表面划伤": True,
    }
    # and the order is back in production with a timeline entry naming the failure
    awaiting.refresh_from_db()
    assert awaiting.status == "in_production"
    event = OrderEvent.objects.filter(order=awaiting, action="qc_fail").get()
    assert event.note == "外径 20.02mm outside 19.98–20.01; 批量偏大"
    assert event.actor == floor.qc
    # and a nonconformance for rework points at the record and the new rework task
    nc = Nonconformance.objects.get()
    assert (nc.order, nc.record, nc.status, nc.disposition) == (awaiting, record, "open", "rework")
    rework = Task.objects.get(pk=nc.rework_task_id)
    assert (rework.order_id, rework.is_rework, rework.status) == (awaiting.pk, True, "pending")
    assert Task.objects.filter(order=awaiting).count() == tasks_before + 1


def test_after_rework_the_old_failure_still_blocks_shipping_until_a_new_pass(floor, awaiting):
    # given an order that failed QC and was reworked back to awaiting QC
    record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor, "19.5"))
    run_open_tasks(floor, awaiting)
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_qc"

    # when the warehouse ships before a new inspection, it is refused
    with pytest.raises(QcNotPassed):
        order_transition(actor=floor.warehouse, order_id=awaiting.pk, action="ship")

    # then after a passing re-inspection it ships, and the NC can be closed
    record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor))
    assert order_transition(actor=floor.warehouse, order_id=awaiting.pk, action="ship").status == (
        "shipped"
    )
    nc = nonconformance_close(
        actor=floor.qc, nc_id=Nonconformance.objects.get().pk, note="复检合格"
    )
    assert (nc.status, nc.closed_by, nc.close_note) == ("closed", floor.qc, "复检合格")
    assert nc.closed_at is not None


def test_an_ng_attribute_fails_the_inspection(floor, awaiting):
    record = record_inspection(
        actor=floor.qc, order_id=awaiting.pk, measurements=good(floor, scratch="ng")
    )
    assert record.result == "fail"
    awaiting.refresh_from_db()
    assert awaiting.status == "in_production"


def test_bad_measurements_are_all_reported_and_nothing_changes(floor, awaiting):
    # given an order awaiting QC
    before = _state(awaiting)

    # when the readings are unreadable, missing or unknown
    with pytest.raises(ValidationFailed) as refused:
        record_inspection(
            actor=floor.qc,
            order_id=awaiting.pk,
            measurements=[
                {"item": floor.diameter.pk, "value": "二十"},
                {"item": 10**9, "value": "1"},
            ],
            note="x" * 2001,
        )

    # then every problem is listed at once and nothing was written
    assert sorted(e["field"] for e in refused.value.errors) == sorted(
        ["measurements[1].item", f"item_{floor.diameter.pk}", f"item_{floor.scratch.pk}", "note"]
    )
    assert _state(awaiting) == before


def test_claiming_a_pass_with_an_item_out_of_tolerance_is_refused(floor, awaiting):
    before = _state(awaiting)
    with pytest.raises(ValidationFailed) as refused:
        record_inspection(
            actor=floor.qc,
            order_id=awaiting.pk,
            measurements=good(floor, "21"),
            result="pass",
        )
    assert [e["field"] for e in refused.value.errors] == ["result"]
    assert _state(awaiting) == before


def test_failing_for_a_defect_not_on_the_plan_needs_a_description(floor, awaiting):
    # when all items pass but the inspector fails the order without saying why → refused
    with pytest.raises(ValidationFailed):
        record_inspection(
            actor=floor.qc, order_id=awaiting.pk, measurements=good(floor), result="fail"
        )
    # with a description it fails and goes to rework with that reason
    record = record_inspection(
        actor=floor.qc,
        order_id=awaiting.pk,
        measurements=good(floor),
        result="fail",
        note="端面磕碰",
    )
    assert record.result == "fail"
    assert Nonconformance.objects.get().description == "端面磕碰"


def test_an_order_without_a_plan_needs_an_explicit_verdict(floor):
    # given a product with a routing but no inspection plan
    from zhongshu.production import services as production

    MaterialFactory(code="P-PLAIN", fulfilment="make")
    production.routing_set(
        actor=floor.admin,
        material_code="P-PLAIN",
        operations=[{"work_center": "L1", "setup_hours": "1", "run_hours_per_unit": "0"}],
    )
    order = make_order(
        actor=floor.sales,
        customer=floor.customer,
        lines=[{"material": "P-PLAIN", "quantity": "1", "unit_price": "5"}],
        status="confirmed",
    )
    run_open_tasks(floor, order)

    # when QC records without a verdict it is refused; with "pass" it passes
    with pytest.raises(ValidationFailed) as refused:
        record_inspection(actor=floor.qc, order_id=order.pk, measurements=[])
    assert [e["field"] for e in refused.value.errors] == ["result"]
    record = record_inspection(actor=floor.qc, order_id=order.pk, measurements=[], result="pass")
    assert record.result == "pass"


def test_only_orders_awaiting_qc_can_be_inspected(floor, awaiting):
    # given an order QC can see (in production) and one it cannot (confirmed)
    in_production = make_order(
        actor=floor.sales,
        customer=floor.customer,
        lines=[{"material": "P-SHAFT", "quantity": "1", "unit_price": "88"}],
        status="confirmed",
    )
    first = Task.objects.filter(order=in_production).order_by("sequence").first()
    from zhongshu.production.services import task_start

    task_start(actor=floor.supervisor, task_id=first.pk)
    confirmed = make_order(
        actor=floor.sales,
        customer=floor.customer,
        lines=[{"material": "P-SHAFT", "quantity": "1", "unit_price": "88"}],
        status="confirmed",
    )

    # then in production → 409, confirmed (outside QC's stages) → 404 like a missing order
    with pytest.raises(NotAwaitingQc):
        record_inspection(actor=floor.qc, order_id=in_production.pk, measurements=good(floor))
    with pytest.raises(NotFound):
        record_inspection(actor=floor.qc, order_id=confirmed.pk, measurements=good(floor))
    # and an admin sees it but still may not inspect a confirmed order
    with pytest.raises(NotAwaitingQc):
        record_inspection(actor=floor.admin, order_id=confirmed.pk, measurements=good(floor))


@pytest.mark.parametrize("role", ["warehouse", "supervisor", "planner", "sales", "operator"])
def test_only_qc_and_admin_record_inspections(floor, awaiting, role):
    before = _state(awaiting)
    with pytest.raises(PermissionDenied):
        record_inspection(
            actor=getattr(floor, role), order_id=awaiting.pk, measurements=good(floor)
        )
    assert _state(awaiting) == before


def test_inspection_is_counted_as_activity_after_commit(
    floor, awaiting, django_capture_on_commit_callbacks
):
    # given a listener for user activity
    seen = []

    def listener(sender, user, kind, **kw):
        seen.append((user, kind))

    user_activity.connect(listener)
    try:
        # when an inspection is recorded inside a transaction that rolls back → nothing is sent
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor))
            transaction.set_rollback(True)
        assert seen == []
        # and when it commits → one qc.inspected activity
        with django_capture_on_commit_callbacks(execute=True):
            record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor))
    finally:
        user_activity.disconnect(listener)
    assert seen == [(floor.qc, "qc.inspected")]


def test_plan_save_reports_every_bad_item_and_replaces_items(floor):
    # when a plan has a missing name, a measured item without limits and a duplicate name
    with pytest.raises(ValidationFailed) as refused:
        plan_save(
            actor=floor.qc,
            material="P-SHAFT",
            items=[
                {"name": "", "kind": "attribute"},
                {"name": "长度", "kind": "measure", "target": "x", "lower_tolerance": "-1"},
                {"name": "长度", "kind": "attribute"},
                {"name": "硬度", "kind": "bogus"},
            ],
        )
    fields = sorted(e["field"] for e in refused.value.errors)
    assert fields == sorted(
        [
            "items[0].name",
            "items[1].target",
            "items[1].lower_tolerance",
            "items[1].upper_tolerance",
            "items[1].name",
            "items[2].name",
            "items[3].kind",
        ]
    )
    assert [i.name for i in floor.plan.items.order_by("sequence")] == ["外径", "表面划伤"]

    # when a valid list is saved with the current version, it replaces the items in order
    plan = plan_save(
        actor=floor.qc,
        material="P-SHAFT",
        items=[{"name": "硬度", "kind": "attribute"}],
        version=floor.plan.version,
    )
    assert [(i.sequence, i.name) for i in plan.items.all()] == [(1, "硬度")]
    # and a stale version is refused
    with pytest.raises(StaleVersion):
        plan_save(actor=floor.qc, material="P-SHAFT", items=[], version=1)


def test_old_records_keep_the_limits_they_were_measured_against(floor, awaiting):
    record = record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor))
    plan_save(actor=floor.qc, material="P-SHAFT", items=[{"name": "新项", "kind": "attribute"}])
    m = record.measurements.get(name="外径")
    assert (str(m.lower_limit), str(m.upper_limit), m.item_id) == ("19.9800", "20.0100", None)


def test_managing_plans_needs_the_qc_role(floor):
    with pytest.raises(PermissionDenied):
        plan_save(actor=floor.warehouse, material="P-SHAFT", items=[])


def test_a_second_order_is_independent(floor, awaiting):
    other = produced_order(floor, quantity="1")
    record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor))
    with pytest.raises(QcNotPassed):
        order_transition(actor=floor.warehouse, order_id=other.pk, action="ship")
    assert Order.objects.get(pk=awaiting.pk).status == "awaiting_qc"
