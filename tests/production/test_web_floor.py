"""Shop-floor pages: the kanban and its polled board fragment, the operator's own tasks with
Start/Finish over htmx, line load, the planner's schedule, setup, and the order panels."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_order
from tests.quality import conftest as shop
from zhongshu.production.models import LineLoad, Task, WorkCenter

pytestmark = pytest.mark.django_db

floor = shop.floor  # the shared shop-floor fixture


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user, htmx=False):
    headers = {"accept-language": "en"}
    if htmx:
        headers["HX-Request"] = "true"
    client = Client(headers=headers)
    client.force_login(user)
    return client


def _order(w, quantity="2"):
    return make_order(
        actor=w.sales,
        customer=w.customer,
        lines=[{"material": "P-SHAFT", "quantity": quantity, "unit_price": "88"}],
        status="confirmed",
    )


def _tasks(order):
    return list(Task.objects.filter(order=order).order_by("sequence"))


def test_kanban_shows_the_cards_of_the_chosen_line_in_three_columns(floor):
    # given a confirmed order with two pending tasks on line L1
    order = _order(floor)

    # when the supervisor opens the kanban
    html = _client(floor.supervisor).get("/production/").content.decode()

    # then the line tab is there and both cards sit in the pending column, polled every 10 s
    assert "L1 机加一线" in html
    assert 'hx-trigger="every 10s"' in html
    pending = html.split('data-column="pending"')[1].split('data-column="in_progress"')[0]
    assert pending.count(order.number) == 2
    assert "P-SHAFT 传动轴 × 2" in pending


def test_board_fragment_returns_only_the_board(floor):
    _order(floor)
    response = _client(floor.supervisor, htmx=True).get(
        "/production/board/", {"line": floor.line.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html and "topbar" not in html


def test_board_shows_only_todays_done_tasks_and_the_at_risk_marker(floor):
    # given an order whose first task was finished yesterday and the second today
    order = _order(floor)
    first, second = _tasks(order)
    from zhongshu.production.services import task_finish, task_start

    for t in (first, second):
        task_start(actor=floor.supervisor, task_id=t.pk)
        task_finish(actor=floor.supervisor, task_id=t.pk)
    Task.objects.filter(pk=first.pk).update(actual_end=timezone.now() - dt.timedelta(days=1))
    other = _order(floor)
    from zhongshu.production.models import ProductionPlan

    ProductionPlan.objects.update_or_create(
        order=other, defaults={"at_risk": True, "computed_at": timezone.now()}
    )

    html = _client(floor.supervisor, htmx=True).get("/production/board/").content.decode()

    done = html.split('data-column="done"')[1]
    assert f'data-task="{second.pk}"' in done
    assert f'data-task="{first.pk}"' not in done
    pending = html.split('data-column="pending"')[1].split('data-column="in_progress"')[0]
    assert pending.count("At risk") == 2  # both cards of the late order


@pytest.mark.parametrize("orders", [2, 20])
def test_board_fragment_runs_a_bounded_number_of_queries(
    floor, orders, django_assert_max_num_queries
):
    # given N and 10N cards on the line (half of them owned by nobody)
    for _ in range(orders):
        _order(floor)
    client = _client(floor.operator, htmx=True)

    # when the operator's board polls, the query count does not grow with the cards
    with django_assert_max_num_queries(12):
        response = client.get("/production/board/", {"line": floor.line.pk})
    assert response.content.decode().count("task-card") == orders * 2


@pytest.mark.parametrize("orders", [2, 20])
def test_my_tasks_runs_a_bounded_number_of_queries(floor, orders, django_assert_max_num_queries):
    for _ in range(orders):
        _order(floor)
    client = _client(floor.operator)
    with django_assert_max_num_queries(14):
        response = client.get("/production/my/")
    html = response.content.decode()
    # every task is listed; only the first operation of each order can be started yet
    assert html.count('class="task-card') == orders * 2
    assert html.count('data-action="start"') == orders
    assert html.count("Waiting for the previous operation.") == orders


def test_operator_starts_and_finishes_over_htmx_and_the_order_awaits_qc(floor):
    # given an order with two tasks on the operator's line
    order = _order(floor)
    first, second = _tasks(order)
    client = _client(floor.operator, htmx=True)

    # when the operator starts the first task
    response = client.post(f"/production/tasks/{first.pk}/start/", {"version": first.version})

    # then the card comes back in progress with a Finish button (the next operation, still
    # waiting, is refreshed out of band), and the order started
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<article class="task-card status-in_progress')
    assert 'data-action="finish"' in html
    assert f'id="task-{second.pk}"' in html and 'hx-swap-oob="true"' in html
    order.refresh_from_db()
    assert order.status == "in_production"

    # when they finish it, then start and finish the second
    first.refresh_from_db()
    html = client.post(
        f"/production/tasks/{first.pk}/finish/", {"version": first.version}
    ).content.decode()
    # finishing the first operation offers Start on the second card right away
    oob = html.split(f'id="task-{second.pk}"')[1]
    assert 'data-action="start"' in oob
    client.post(f"/production/tasks/{second.pk}/start/")
    html = client.post(f"/production/tasks/{second.pk}/finish/").content.decode()

    # then the order awaits QC and the card says so
    order.refresh_from_db()
    assert order.status == "awaiting_qc"
    assert f"Order {order.number} is complete and awaits QC." in html


def test_a_refused_start_shows_the_reason_on_the_card_and_changes_nothing(floor):
    # given an order whose first task is not done yet
    order = _order(floor)
    _first, second = _tasks(order)
    client = _client(floor.operator, htmx=True)

    # when the operator posts Start for the second task (e.g. from a page opened earlier)
    response = client.post(f"/production/tasks/{second.pk}/start/")

    # then the card explains, and nothing moved
    html = response.content.decode()
    assert "The previous operation of this task sheet is not finished yet." in html
    assert 'class="card-note error"' in html
    second.refresh_from_db()
    assert second.status == "pending"


def test_without_htmx_start_redirects_back_with_a_message(floor):
    order = _order(floor)
    first, _second = _tasks(order)
    client = _client(floor.operator)
    response = client.post(
        f"/production/tasks/{first.pk}/start/", {"next": "/production/my/"}, follow=True
    )
    assert response.redirect_chain == [("/production/my/", 302)]
    assert f"Started: {order.number}" in response.content.decode()


def test_an_operator_cannot_touch_a_task_of_a_line_they_do_not_belong_to(floor):
    # given a task on another line the operator is no member of
    from zhongshu.production import services

    services.work_center_create(actor=floor.admin, code="L2", name="装配线")
    from tests.factories import MaterialFactory

    MaterialFactory(code="P-BOX", fulfilment="make")
    services.routing_set(
        actor=floor.admin,
        material_code="P-BOX",
        operations=[{"work_center": "L2", "setup_hours": "1", "run_hours_per_unit": "1"}],
    )
    order = make_order(
        actor=floor.sales,
        customer=floor.customer,
        lines=[{"material": "P-BOX", "quantity": "1", "unit_price": "5"}],
        status="confirmed",
    )
    task = _tasks(order)[0]

    # when the operator posts Start → 404 (not in their scope), nothing changes
    response = _client(floor.operator, htmx=True).post(f"/production/tasks/{task.pk}/start/")
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "pending"


def test_line_load_page_shows_rates_highlights_overload_and_draws_a_chart(floor):
    # given the last schedule stored 12 h on the next working day of a line with 8 h capacity
    from zhongshu.production.selectors import capacity_hours

    day = timezone.localdate()
    while capacity_hours(floor.line, day) == 0:
        day += dt.timedelta(days=1)
    LineLoad.objects.create(work_center=floor.line, day=day, planned_hours=Decimal(12))

    response = _client(floor.planner).get("/production/load/", {"start": day.isoformat()})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num over"' in html and "150%" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<script" not in html.split("<main")[1]
    # a bad start date falls back to today, an absurd window is bounded
    assert (
        _client(floor.planner).get("/production/load/", {"start": "x", "days": "9999"}).status_code
        == 200
    )


def test_schedule_page_pins_and_reschedules(floor):
    # given an order with open tasks
    order = _order(floor)
    first = _tasks(order)[0]
    client = _client(floor.planner)

    # when the planner opens the schedule, it lists the tasks by line
    html = client.get("/production/schedule/").content.decode()
    assert order.number in html and "Reschedule now" in html

    # when they pin the first task to a day next week
    day = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        f"/production/tasks/{first.pk}/pin/", {"date": day.isoformat(), "version": first.version}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.pinned_date == day

    # a date in the past is refused with a message, nothing changes
    response = client.post(
        f"/production/tasks/{first.pk}/pin/", {"date": "2000-01-01"}, follow=True
    )
    assert "The date is in the past." in response.content.decode()
    first.refresh_from_db()
    assert first.pinned_date == day

    # and the reschedule button answers with a summary
    response = client.post("/production/schedule/run/", follow=True)
    assert "Rescheduled" in response.content.decode()


def test_setup_page_adds_a_line_and_saves_a_routing(floor):
    client = _client(floor.planner)
    assert client.get("/production/setup/").status_code == 200

    # when the planner adds a line
    response = client.post(
        "/production/setup/",
        {
            "form": "line",
            "code": "L9",
            "name": "热处理",
            "hours_per_shift": "8",
            "shifts_per_day": "2",
        },
    )
    assert response.status_code == 302
    assert WorkCenter.objects.get(code="L9").shifts_per_day == 2

    # and a routing for the product with one operation on it
    response = client.post(
        "/production/setup/",
        {"form": "routing", "material": "P-SHAFT", "ops-0-name": "淬火", "ops-0-work_center": "L9",
         "ops-0-setup_hours": "2", "ops-0-run_hours_per_unit": "0.1"},
    )  # fmt: skip
    assert response["Location"] == "/production/setup/?material=P-SHAFT"
    html = client.get("/production/setup/", {"material": "P-SHAFT"}).content.decode()
    assert 'value="淬火"' in html

    # a routing on an unknown line is refused with the reason, nothing saved
    response = client.post(
        "/production/setup/",
        {"form": "routing", "material": "P-SHAFT", "ops-0-work_center": "NOPE",
         "ops-0-run_hours_per_unit": "1"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Unknown production line." in response.content.decode()


def test_order_detail_shows_the_production_panel(floor):
    order = _order(floor)
    html = _client(floor.planner).get(f"/orders/{order.pk}/").content.decode()
    assert 'id="production-panel"' in html
    assert f"{order.number}-1" in html  # the task sheet number
    assert html.count('data-status="pending"') == 2


def test_operator_has_no_order_detail_and_no_panel_leaks(floor):
    order = _order(floor)
    assert _client(floor.operator).get(f"/orders/{order.pk}/").status_code == 403


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example/"]
)
def test_start_never_redirects_to_another_site(floor, target):
    order = _order(floor)
    first, _second = _tasks(order)
    response = _client(floor.operator).post(
        f"/production/tasks/{first.pk}/start/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/production/my/"
