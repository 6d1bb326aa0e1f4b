"""/api/v1/qc over HTTP with a Bearer token: plans, the queue, inspections, nonconformances."""

import pytest

from tests.quality.conftest import good, produced_order
from zhongshu.quality.models import InspectionRecord

pytestmark = pytest.mark.django_db


def test_record_a_passing_inspection_and_ship(api_as, floor, awaiting):
    qc = api_as(floor.qc)
    # the checklist names the items to measure
    checklist = qc.get(f"/api/v1/qc/orders/{awaiting.pk}/checklist").json()
    assert [i["name"] for i in checklist["items"]] == ["外径", "表面划伤"]
    assert checklist["items"][0]["lower_limit"] == "19.9800"

    r = qc.post(
        "/api/v1/qc/inspections",
        {"order_id": awaiting.pk, "measurements": good(floor), "note": "首检"},
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["result"], body["order"], body["inspector"]) == (
        "pass",
        awaiting.number,
        "qc_inspector",
    )
    assert [m["passed"] for m in body["measurements"]] == [True, True]

    shipped = api_as(floor.warehouse).post(
        f"/api/v1/orders/{awaiting.pk}/transitions", {"action": "ship"}
    )
    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped"


def test_ship_before_qc_is_a_409_with_code_qc_not_passed(api_as, floor, awaiting):
    r = api_as(floor.warehouse).post(
        f"/api/v1/orders/{awaiting.pk}/transitions", {"action": "ship"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "qc_not_passed"


def test_bad_measurements_are_a_422_listing_every_field(api_as, floor, awaiting):
    r = api_as(floor.qc).post(
        "/api/v1/qc/inspections",
        {"order_id": awaiting.pk, "measurements": [{"item": floor.diameter.pk, "value": "NaN"},
                                                   {"item": "x"}]},
    )  # fmt: skip
    assert r.status_code == 422
    fields = sorted(e["field"] for e in r.json()["details"]["errors"])
    assert fields == sorted(
        ["measurements[1].item", f"item_{floor.diameter.pk}", f"item_{floor.scratch.pk}"]
    )
    assert not InspectionRecord.objects.exists()


def test_failing_inspection_answers_201_and_lists_the_nonconformance(api_as, floor, awaiting):
    qc = api_as(floor.qc)
    r = qc.post(
        "/api/v1/qc/inspections",
        {"order_id": awaiting.pk, "measurements": good(floor, scratch=False)},
    )
    assert r.status_code == 201 and r.json()["result"] == "fail"
    ncs = qc.get("/api/v1/qc/nonconformances", {"status": "open"}).json()["items"]
    assert [(n["order"], n["status"], n["record_id"]) for n in ncs] == [
        (awaiting.number, "open", r.json()["id"])
    ]
    assert ncs[0]["rework_task_id"] is not None
    # a second inspection is refused: the order is back in production
    again = qc.post(
        "/api/v1/qc/inspections", {"order_id": awaiting.pk, "measurements": good(floor)}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "not_awaiting_qc"
    closed = qc.post(f"/api/v1/qc/nonconformances/{ncs[0]['id']}/close", {"note": "ok"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_plans_put_get_delete(api_as, floor):
    qc = api_as(floor.qc)
    r = qc.client.put(
        "/api/v1/qc/plans/P-SHAFT",
        {"items": [{"name": "长度", "kind": "measure", "target": "100", "lower_tolerance": "0.5",
                    "upper_tolerance": "0.5", "unit": "mm"}], "version": floor.plan.version},
        content_type="application/json",
        headers=qc.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.json()
    assert [(i["name"], i["upper_limit"]) for i in r.json()["items"]] == [("长度", "100.5000")]
    assert qc.get("/api/v1/qc/plans/P-SHAFT").json()["version"] == floor.plan.version + 1
    bad = qc.client.put(
        "/api/v1/qc/plans/P-SHAFT",
        {"items": [{"kind": "measure"}]},
        content_type="application/json",
        headers=qc.headers,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["details"]["errors"]} == {
        "items[0].name", "items[0].target", "items[0].lower_tolerance", "items[0].upper_tolerance"
    }  # fmt: skip
    assert qc.delete("/api/v1/qc/plans/P-SHAFT").status_code == 204
    assert qc.get("/api/v1/qc/plans/P-SHAFT").status_code == 404


@pytest.mark.parametrize("orders", [2, 20])
def test_lists_run_a_bounded_number_of_queries(
    api_as, floor, orders, django_assert_max_num_queries
):
    from zhongshu.quality.services import record_inspection

    for _ in range(orders):
        order = produced_order(floor, quantity="1")
        record_inspection(actor=floor.qc, order_id=order.pk, measurements=good(floor, "1"))
    produced_order(floor, quantity="1")
    qc = api_as(floor.qc)
    for path, key in (
        ("/api/v1/qc/inspections?limit=200", "items"),
        ("/api/v1/qc/nonconformances?limit=200", "items"),
        ("/api/v1/qc/plans", "items"),
        ("/api/v1/qc/orders", None),
    ):
        with django_assert_max_num_queries(8):
            r = qc.get(path)
        assert r.status_code == 200
        body = r.json()
        if "inspections" in path or "nonconformances" in path:
            assert len(body[key]) == orders
