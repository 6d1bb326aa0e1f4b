"""Reporting from the floor: good and scrap quantities on finish (feeding the later operations,
the line load, QC and the printed sheet), scrap above the threshold opening a nonconformance,
the one-minute undo, and pausing with a reason (SPEC §5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from tests.factories import make_order, make_user
from zhongshu.core.errors import DomainError, NotFound
from zhongshu.core.signals import scrap_reported, scrap_withdrawn
from zhongshu.orders.models import Order
from zhongshu.production import selectors, services
from zhongshu.production.models import LineLoad, Task
from zhongshu.quality.models import Nonconformance


@pytest.fixture
def order(sales_east, customer_east, shaft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_order(
            actor=sales_east,
            customer=customer_east,
            lines=[{"material": shaft.code, "quantity": "10", "unit_price": "100"}],
            status="confirmed",
        )


@pytest.fixture
def heard():
    """What the scrap signals carried, as (signal, task, material, scrap, over threshold)."""
    seen: list[tuple] = []

    def on_reported(sender, **kw):
        seen.append(("reported", kw["task_id"], kw["material_id"], kw["scrap_quantity"],
                     kw["over_threshold"]))  # fmt: skip

    def on_withdrawn(sender, **kw):
        seen.append(("withdrawn", kw["task_id"], kw["material_id"], kw["scrap_quantity"],
                     kw["over_threshold"]))  # fmt: skip

    scrap_reported.connect(on_reported)
    scrap_withdrawn.connect(on_withdrawn)
    yield seen
    scrap_reported.disconnect(on_reported)
    scrap_withdrawn.disconnect(on_withdrawn)


def tasks_of(order):
    return list(Task.objects.filter(order=order).order_by("sheet_id", "sequence"))


def assy_load(lines) -> Decimal:
    return LineLoad.objects.filter(work_center=lines["ASSY"]).aggregate(h=Sum("planned_hours"))["h"]


def test_good_and_scrap_feed_the_next_operation_the_load_qc_and_a_nonconformance(
    order, operator, lines, shaft, heard, client_as
):
    turn, assy = tasks_of(order)
    services.reschedule()
    assert assy_load(lines) == Decimal("1.5")  # 0.5 h setup + 10 × 0.1 h
    services.task_start(actor=operator, task_id=turn.pk)

    # when turning reports 6 good and 4 scrapped (40 % > the factory's 5 %)
    services.task_finish(actor=operator, task_id=turn.pk, good_quantity="6", scrap_quantity="4")

    turn.refresh_from_db()
    assert (turn.good_quantity, turn.scrap_quantity) == (Decimal("6"), Decimal("4"))
    # then assembly only plans the 6 good units, and so does the line load after the reflow
    assy.refresh_from_db()
    assert assy.estimated_hours == Decimal("1.1")
    services.reschedule()
    assert assy_load(lines) == Decimal("1.1")
    # the scrap was announced with task, material and quantity, and QC has a nonconformance
    assert heard == [("reported", turn.pk, shaft.pk, Decimal("4"), True)]
    nc = Nonconformance.objects.get(order=order)
    assert (nc.status, nc.disposition, nc.scrap_task_id) == ("open", "scrap", turn.pk)
    assert "40" in nc.description and "5" in nc.description

    # when assembly finishes with the one tap (defaults: the 6 units that reached it)
    services.task_start(actor=operator, task_id=assy.pk)
    services.task_finish(actor=operator, task_id=assy.pk)
    assy.refresh_from_db()
    assert (assy.good_quantity, assy.scrap_quantity) == (Decimal("6"), Decimal("0"))
    assert Order.objects.get(pk=order.pk).status == "awaiting_qc"
    # then QC inspects the 6 good units
    (reported,) = selectors.reported_quantities(order_id=order.pk)
    assert (reported["quantity"], reported["good"], reported["scrap"]) == (
        Decimal("10"), Decimal("6"), Decimal("4"),
    )  # fmt: skip
    page = client_as(make_user("qc")).get(f"/qc/orders/{order.pk}/").content.decode()
    assert '<td class="num inspect-qty">6</td>' in page
    # and the printed task sheet carries the reported figures
    sheet = client_as(make_user("supervisor")).get(f"/documents/task-sheets/{turn.sheet_id}/")
    assert sheet.status_code == 200
    assert '<td class="num">6</td><td class="num">4</td>' in sheet.content.decode()


def test_finishing_at_the_planned_quantity_reports_no_scrap(order, operator, heard):
    turn, _assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    services.task_finish(actor=operator, task_id=turn.pk)
    turn.refresh_from_db()
    assert (turn.good_quantity, turn.scrap_quantity) == (Decimal("10"), Decimal("0"))
    assert heard == []
    assert not Nonconformance.objects.exists()


def test_the_line_threshold_wins_over_the_factory_one(order, operator, lines, settings, heard):
    turn, assy = tasks_of(order)
    lines["TURN"].scrap_nc_percent = Decimal("50")
    lines["TURN"].save()
    settings.SCRAP_NC_PERCENT = "1"
    services.task_start(actor=operator, task_id=turn.pk)
    services.task_finish(actor=operator, task_id=turn.pk, good_quantity="6", scrap_quantity="4")
    # 40 % is below the line's 50 %: announced, but no nonconformance
    assert heard == [("reported", turn.pk, turn.sheet.material_id, Decimal("4"), False)]
    assert not Nonconformance.objects.exists()
    # on assembly (no own threshold) the factory's 1 % applies: 1 of 6 opens one
    services.task_start(actor=operator, task_id=assy.pk)
    services.task_finish(actor=operator, task_id=assy.pk, good_quantity="5", scrap_quantity="1")
    assert Nonconformance.objects.get().scrap_task_id == assy.pk


@pytest.mark.parametrize(
    "good,scrap,field",
    [("-1", "0", "good_quantity"), ("abc", "0", "good_quantity"), ("5", "-2", "scrap_quantity"),
     ("0", "0", "good_quantity"), ("1.0001", "0", "good_quantity"), ("1e400", "0", "good_quantity")],
)  # fmt: skip
def test_bad_quantities_are_refused_and_change_nothing(order, operator, good, scrap, field):
    turn, _assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    with pytest.raises(DomainError) as exc:
        services.task_finish(
            actor=operator, task_id=turn.pk, good_quantity=good, scrap_quantity=scrap
        )
    assert exc.value.code == "validation_error"
    assert [e["field"] for e in exc.value.errors] == [field]
    turn.refresh_from_db()
    assert (turn.status, turn.good_quantity) == ("in_progress", None)


def test_undo_within_a_minute_takes_the_finish_back(order, operator, heard):
    turn, assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    services.task_finish(actor=operator, task_id=turn.pk, good_quantity="6", scrap_quantity="4")

    services.task_finish_undo(actor=operator, task_id=turn.pk)

    turn.refresh_from_db()
    assert (turn.status, turn.actual_end, turn.good_quantity, turn.scrap_quantity) == (
        "in_progress", None, None, None,
    )  # fmt: skip
    assy.refresh_from_db()
    assert assy.estimated_hours == Decimal("1.5")  # back to the full 10 units
    assert heard[-1] == ("withdrawn", turn.pk, turn.sheet.material_id, Decimal("4"), True)
    nc = Nonconformance.objects.get()
    assert (nc.status, nc.closed_by) == ("closed", operator)
    # audited: the task's history holds finish and undo, by the operator
    statuses = list(turn.history.order_by("history_id").values_list("status", "history_user"))
    assert statuses[-3:] == [
        ("in_progress", operator.pk), ("done", operator.pk), ("in_progress", operator.pk),
    ]  # fmt: skip
    # and it can be finished again
    services.task_finish(actor=operator, task_id=turn.pk, good_quantity="10")


def test_undo_after_a_minute_is_refused(order, operator):
    turn, _assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    services.task_finish(actor=operator, task_id=turn.pk)
    # the minute passes
    Task.objects.filter(pk=turn.pk).update(actual_end=timezone.now() - dt.timedelta(seconds=61))
    with pytest.raises(DomainError) as exc:
        services.task_finish_undo(actor=operator, task_id=turn.pk)
    assert (exc.value.code, exc.value.http_status) == ("undo_expired", 409)
    turn.refresh_from_db()
    assert turn.status == "done"


def test_undo_is_refused_once_the_work_moved_on(order, operator, operator2, lines):
    turn, assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    services.task_finish(actor=operator, task_id=turn.pk)
    services.task_start(actor=operator, task_id=assy.pk)
    # the next operation started
    with pytest.raises(DomainError) as exc:
        services.task_finish_undo(actor=operator, task_id=turn.pk)
    assert exc.value.code == "undo_not_possible"
    # the last finish sent the order to QC
    services.task_finish(actor=operator, task_id=assy.pk)
    with pytest.raises(DomainError) as exc:
        services.task_finish_undo(actor=operator, task_id=assy.pk)
    assert exc.value.code == "undo_not_possible"
    # an operator off the line cannot even see it
    with pytest.raises(NotFound):
        services.task_finish_undo(actor=operator2, task_id=assy.pk)


def test_pause_with_a_reason_blocks_finish_until_resumed(order, operator, settings, client_as):
    settings.DASHBOARD_CACHE_SECONDS = 0
    turn, _assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    for reason, note, field in (
        ("", "", "reason"),
        ("coffee", "", "reason"),
        ("other", "", "note"),
    ):
        with pytest.raises(DomainError) as exc:
            services.task_pause(actor=operator, task_id=turn.pk, reason=reason, note=note)
        assert [e["field"] for e in exc.value.errors] == [field]

    services.task_pause(actor=operator, task_id=turn.pk, reason="machine_down", note="主轴异响")

    turn.refresh_from_db()
    assert (turn.status, turn.pause_reason, turn.pause_note) == (
        "in_progress", "machine_down", "主轴异响",
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.task_finish(actor=operator, task_id=turn.pk)
    assert exc.value.code == "task_paused"
    assert selectors.paused_summary(actor=operator) == {"paused_tasks": 1, "paused_lines": 1}
    # the kanban card and the dashboard show it
    supervisor = make_user("supervisor")
    board = client_as(supervisor).get(f"/production/board/?line={turn.work_center_id}")
    assert "已暂停: 设备故障" in board.content.decode()
    assert "主轴异响" in board.content.decode()
    dash = client_as(make_user("manager")).get("/dashboard/grid/").content.decode()
    assert 'data-kpi="paused"' in dash and "1 条产线上有 1 个任务暂停" in dash

    services.task_resume(actor=operator, task_id=turn.pk)
    with pytest.raises(DomainError) as exc:
        services.task_resume(actor=operator, task_id=turn.pk)
    assert exc.value.code == "task_not_paused"
    assert selectors.paused_summary(actor=operator) == {"paused_tasks": 0, "paused_lines": 0}
    services.task_finish(actor=operator, task_id=turn.pk)


def test_api_finish_pause_resume_and_undo(order, operator, api_as):
    turn, _assy = tasks_of(order)
    api = api_as(operator)
    base = f"/api/v1/production/tasks/{turn.pk}"
    assert api.post(f"{base}/start", {}).status_code == 200
    r = api.post(f"{base}/pause", {"reason": "material_missing"})
    assert (r.status_code, r.json()["paused"], r.json()["pause_reason"]) == (
        200, True, "material_missing",
    )  # fmt: skip
    assert api.post(f"{base}/finish", {}).json()["code"] == "task_paused"
    assert api.post(f"{base}/resume", {}).json()["paused"] is False
    r = api.post(f"{base}/finish", {"good_quantity": "9", "scrap_quantity": "1", "colour": "x"})
    assert r.status_code == 422 and "colour" in r.content.decode()
    r = api.post(f"{base}/finish", {"good_quantity": "9", "scrap_quantity": "1"})
    assert (r.status_code, r.json()["good_quantity"], r.json()["scrap_quantity"]) == (
        200, "9.000", "1.000",
    )  # fmt: skip
    r = api.post(f"{base}/undo-finish")
    assert (r.status_code, r.json()["status"], r.json()["good_quantity"]) == (
        200, "in_progress", None,
    )  # fmt: skip
    assert api.post(f"{base}/undo-finish").json()["code"] == "undo_not_possible"


def test_the_phone_kanban_finishes_with_quantities_and_offers_undo(order, operator, client_as):
    turn, _assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    client = client_as(operator)
    client.defaults["HTTP_HX_REQUEST"] = "true"
    card = client.get("/production/my/").content.decode()
    # the finish form proposes the planned quantity and no scrap: one tap accepts
    assert 'name="good_quantity" value="10"' in card
    assert 'name="scrap_quantity" value="0"' in card
    assert 'data-action="pause"' in card

    r = client.post(
        f"/production/tasks/{turn.pk}/finish/",
        {"version": turn.version + 1, "good_quantity": "８", "scrap_quantity": "2"},
    )
    html = r.content.decode()
    assert "已完工" in html and "合格 8，报废 2" in html and "一分钟内可撤销" in html
    assert 'data-action="undo"' in html
    html = client.post(f"/production/tasks/{turn.pk}/undo-finish/").content.decode()
    assert "已撤销完工" in html
    turn.refresh_from_db()
    assert turn.status == "in_progress"
    html = client.post(
        f"/production/tasks/{turn.pk}/pause/", {"version": turn.version, "reason": "other"}
    ).content.decode()
    assert "请说明暂停原因" in html
