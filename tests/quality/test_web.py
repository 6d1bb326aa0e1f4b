"""QC pages: the queue, the inspection form (pass, fail, bad input), plans, nonconformances, and
the QC panel on the order detail page."""

import pytest
from django.test import Client
from django.utils import translation

from tests.quality.conftest import good
from zhongshu.quality.models import InspectionItem, InspectionRecord, Nonconformance

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _form(w, diameter="20", scratch="ok", **extra):
    return {f"item_{w.diameter.pk}": diameter, f"item_{w.scratch.pk}": scratch, **extra}


def test_qc_home_lists_orders_awaiting_qc_with_an_inspect_button(floor, awaiting):
    html = _client(floor.qc).get("/qc/").content.decode()
    assert awaiting.number in html
    assert f'href="/qc/orders/{awaiting.pk}/"' in html


def test_inspection_form_lists_the_plan_items_with_their_limits(floor, awaiting):
    html = _client(floor.qc).get(f"/qc/orders/{awaiting.pk}/").content.decode()
    assert "外径" in html and "19.98–20.01 mm" in html
    assert f'name="item_{floor.diameter.pk}"' in html and 'data-low="19.9800"' in html
    assert f'name="item_{floor.scratch.pk}"' in html


def test_a_passing_inspection_from_the_form(floor, awaiting):
    response = _client(floor.qc).post(f"/qc/orders/{awaiting.pk}/", _form(floor), follow=True)
    assert response.redirect_chain == [("/qc/", 302)]
    assert f"Inspection passed: {awaiting.number} may ship now." in response.content.decode()
    assert InspectionRecord.objects.get().result == "pass"


def test_a_failing_inspection_from_the_form_goes_back_to_production(floor, awaiting):
    response = _client(floor.qc).post(
        f"/qc/orders/{awaiting.pk}/", _form(floor, diameter="20.5", note="偏大"), follow=True
    )
    assert "went back to production for rework" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == "in_production"
    assert Nonconformance.objects.get().status == "open"


def test_bad_readings_are_shown_next_to_their_inputs_and_nothing_is_saved(floor, awaiting):
    # when the inspector types a word as the diameter and leaves the scratch check empty
    response = _client(floor.qc).post(
        f"/qc/orders/{awaiting.pk}/", _form(floor, diameter="abc", scratch="")
    )

    # then the form comes back with 422 and both errors, with the typed value kept
    html = response.content.decode()
    assert response.status_code == 422
    assert "Enter a number." in html and "This item has not been inspected." in html
    assert 'value="abc"' in html
    assert not InspectionRecord.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_qc"


def test_the_order_page_shows_the_qc_panel_with_the_form_for_inspectors(floor, awaiting):
    html = _client(floor.qc).get(f"/orders/{awaiting.pk}/").content.decode()
    assert 'id="qc-panel"' in html and 'data-action="inspect"' in html
    # the warehouse sees QC results but gets no form
    html = _client(floor.warehouse).get(f"/orders/{awaiting.pk}/").content.decode()
    assert 'data-action="inspect"' not in html


def test_the_order_page_lists_records_and_nonconformances(floor, awaiting):
    from zhongshu.quality.services import record_inspection

    with translation.override("en"):
        record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor, "19"))
    html = _client(floor.planner).get(f"/orders/{awaiting.pk}/").content.decode()
    assert "NC-" in html and "外径 19mm outside 19.98–20.01" in html
    assert "Failed" in html


def test_closing_a_nonconformance(floor, awaiting):
    from zhongshu.quality.services import record_inspection

    record_inspection(actor=floor.qc, order_id=awaiting.pk, measurements=good(floor, "19"))
    nc = Nonconformance.objects.get()
    response = _client(floor.qc).post(f"/qc/nonconformances/{nc.pk}/close/", {"note": "已返工"})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "closed"
    # closing again is refused with a message, no error page
    response = _client(floor.qc).post(f"/qc/nonconformances/{nc.pk}/close/", follow=True)
    assert "already closed" in response.content.decode()


def test_plan_edit_page_saves_rows_and_reports_errors_per_row(floor):
    client = _client(floor.qc)
    html = client.get("/qc/plans/P-SHAFT/").content.decode()
    assert 'value="外径"' in html and 'value="20"' in html

    # when the inspector saves one good row and one measured row without limits
    data = {
        "rows": "3",
        "version": floor.plan.version,
        "items-0-name": "长度", "items-0-kind": "measure", "items-0-target": "100",
        "items-0-lower_tolerance": "0.1", "items-0-upper_tolerance": "0.1", "items-0-unit": "mm",
        "items-2-name": "硬度", "items-2-kind": "measure",
    }  # fmt: skip
    response = client.post("/qc/plans/P-SHAFT/", data)

    # then the page comes back with the errors on the second filled row, nothing saved
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert list(InspectionItem.objects.values_list("name", flat=True).order_by("sequence")) == [
        "外径",
        "表面划伤",
    ]

    # when the bad row is fixed it saves and replaces the plan
    data["items-2-kind"] = "attribute"
    response = client.post("/qc/plans/P-SHAFT/", data)
    assert response.status_code == 302
    assert list(InspectionItem.objects.values_list("name", flat=True).order_by("sequence")) == [
        "长度",
        "硬度",
    ]


def test_plan_list_and_open_box(floor):
    client = _client(floor.qc)
    assert "P-SHAFT" in client.get("/qc/plans/").content.decode()
    assert (
        client.get("/qc/plans/open/", {"material": "p-shaft"})["Location"] == "/qc/plans/P-SHAFT/"
    )
    assert client.get("/qc/plans/NOPE/").status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_qc_home_runs_a_bounded_number_of_queries(floor, rows, django_assert_max_num_queries):
    from tests.quality.conftest import produced_order
    from zhongshu.quality.services import record_inspection

    for _ in range(rows):
        order = produced_order(floor, quantity="1")
        record_inspection(actor=floor.qc, order_id=order.pk, measurements=good(floor, "1"))
    client = _client(floor.qc)
    with django_assert_max_num_queries(12):
        html = client.get("/qc/").content.decode()
    assert html.count("qc-record qc-fail") == min(rows, 20)
