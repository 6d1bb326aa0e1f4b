import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from tests.factories import make_order
from zhongshu.orders.models import Order


def _due(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _post(**overrides) -> dict:
    data = {
        "customer": "C-EAST",
        "due_date": _due(),
        "priority": "urgent",
        "discount_rate": "5",
        "tax_rate": "13",
        "payment_terms": "net60",
        "note": "首批样件",
        "lines-0-material": "M-FLANGE",
        "lines-0-quantity": "10",
        "lines-0-unit_price": "",
        "lines-1-material": "M-SHAFT",
        "lines-1-quantity": "2",
        "lines-1-unit_price": "90",
        "lines-2-material": "",
        "lines-2-quantity": "",
        "lines-2-unit_price": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_new_order_page_has_pickers_two_rows_and_availability_cells(
    client_as, sales_east, customer_east
):
    html = client_as(sales_east).get("/orders/new/").content.decode()

    assert 'name="customer"' in html
    assert 'hx-get="/orders/pick/customer/"' in html
    for i in (0, 1):
        assert f'name="lines-{i}-material"' in html
        assert f'name="lines-{i}-quantity"' in html
        assert f'name="lines-{i}-unit_price"' in html
        assert (
            f'hx-get="/inventory/availability/fragment?row={i}" '
            'hx-trigger="change from:closest tr, load" hx-include="closest tr"'
        ) in html
    assert 'name="lines-2-material"' not in html
    assert 'hx-get="/orders/line-row/?index=2"' in html


def test_create_with_two_lines(client_as, sales_east, customer_east, flange, shaft):
    response = client_as(sales_east).post("/orders/new/", _post())

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.customer == customer_east
    assert order.priority == "urgent"
    assert order.discount_rate == Decimal("5")
    assert order.payment_terms == "net60"
    assert order.note == "首批样件"
    lines = [(x.material.code, x.quantity, x.unit_price) for x in order.lines.order_by("line_no")]
    # the blank third row is ignored; a missing price means the standard price
    assert lines == [
        ("M-FLANGE", Decimal("10"), Decimal("12.50")),
        ("M-SHAFT", Decimal("2"), Decimal("90")),
    ]


def test_create_errors_go_to_their_fields_and_keep_the_input(
    client_as, sales_east, customer_east, flange, shaft
):
    response = client_as(sales_east).post(
        "/orders/new/",
        _post(**{"due_date": "", "lines-1-quantity": "-3", "lines-0-material": "M-NOPE"}),
    )

    assert response.status_code == 422
    assert Order.objects.count() == 0
    html = response.content.decode()
    assert "部分字段无效" in html  # page message
    row0 = re.search(r'<tr class="line-row has-error" id="line-0">.*?</tr>', html, re.S).group(0)
    row1 = re.search(r'<tr class="line-row has-error" id="line-1">.*?</tr>', html, re.S).group(0)
    assert "未知物料：M-NOPE" in row0
    assert "必须大于 0" in row1
    assert 'value="-3"' in row1  # the user's input is kept
    assert 'value="首批样件"' not in html and "首批样件</textarea>" in html
    due = re.search(
        r'<div class="field has-error">\s*<label for="id_due_date">.*?</div>', html, re.S
    )
    assert "此字段为必填项" in due.group(0)


def test_unknown_customer_error_is_on_the_customer_field(client_as, sales_east, flange, shaft):
    html = client_as(sales_east).post("/orders/new/", _post(customer="C-NORTH")).content.decode()

    field = re.search(
        r'<div class="field picker-field has-error" id="customer-field">.*?</div>\s*</div>',
        html,
        re.S,
    )
    assert "未知客户：C-NORTH" in field.group(0)


def test_add_and_remove_line_without_javascript(client_as, sales_east, customer_east, flange):
    client = client_as(sales_east)

    added = client.post("/orders/new/", _post(add_line="1")).content.decode()
    assert 'name="lines-3-material"' in added
    assert Order.objects.count() == 0

    removed = client.post("/orders/new/", _post(remove_line="1")).content.decode()
    assert 'name="lines-1-material"' not in removed
    assert 'name="lines-0-material"' in removed
    assert Order.objects.count() == 0


def test_line_row_fragment_for_add_line_moves_the_add_button(client_as, sales_east):
    html = (
        client_as(sales_east)
        .get("/orders/line-row/?index=4&add_line=1", headers={"HX-Request": "true"})
        .content.decode()
    )

    assert 'id="line-4"' in html
    assert 'name="lines-4-quantity"' in html
    assert 'hx-swap-oob="true"' in html
    assert "/orders/line-row/?index=5" in html


def test_picking_a_material_fills_the_standard_price_and_keeps_the_quantity(
    client_as, sales_east, flange
):
    html = (
        client_as(sales_east)
        .get("/orders/line-row/?index=1&pick=m-flange&lines-1-material=法兰&lines-1-quantity=7")
        .content.decode()
    )

    assert 'name="lines-1-material" id="id_lines-1-material" value="M-FLANGE"' in html
    assert 'name="lines-1-quantity" id="id_lines-1-quantity" value="7"' in html
    assert 'name="lines-1-unit_price" id="id_lines-1-unit_price" value="12.5"' in html
    assert "法兰盘" in html


def test_material_picker_searches_materials(client_as, sales_east, flange, shaft):
    html = (
        client_as(sales_east)
        .get("/orders/pick/material/?row=3&lines-3-material=法兰")
        .content.decode()
    )

    assert 'data-code="M-FLANGE"' in html
    assert 'data-code="M-SHAFT"' not in html
    assert "/orders/line-row/?index=3&amp;pick=M-FLANGE" in html


def test_customer_picker_is_scoped_to_the_users_regions(
    client_as, sales_east, customer_east, customer_north
):
    client = client_as(sales_east)

    html = client.get("/orders/pick/customer/?customer=C-").content.decode()
    assert 'data-code="C-EAST"' in html
    assert 'data-code="C-NORTH"' not in html

    chosen = client.get("/orders/pick/customer/?choose=C-EAST").content.decode()
    assert 'id="customer-field"' in chosen
    assert 'value="C-EAST"' in chosen
    assert "苏州精工机械 · 华东" in chosen


def test_edit_saves_through_the_service(client_as, sales_east, customer_east, flange):
    order = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": "M-FLANGE", "quantity": "2"}]
    )
    client = client_as(sales_east)
    form = client.get(f"/orders/{order.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in form
    assert 'name="lines-0-material" id="id_lines-0-material" value="M-FLANGE"' in form

    response = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "version": "1",
            "customer": "C-EAST",
            "due_date": _due(10),
            "priority": "critical",
            "discount_rate": "0",
            "tax_rate": "13",
            "payment_terms": "net30",
            "note": "",
            "lines-0-material": "M-FLANGE",
            "lines-0-quantity": "3",
            "lines-0-unit_price": "12.5",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.version == 2
    assert order.priority == "critical"
    assert order.lines.get().quantity == Decimal("3")


def test_edit_with_a_stale_version_is_refused_and_keeps_the_input(
    client_as, sales_east, customer_east, flange
):
    order = make_order(actor=sales_east, customer=customer_east)
    order.note = "changed elsewhere"
    order.version = 2
    order.save()

    response = client_as(sales_east).post(
        f"/orders/{order.pk}/edit/",
        {
            "version": "1",
            "customer": "C-EAST",
            "due_date": _due(10),
            "priority": "normal",
            "note": "我的修改",
            "lines-0-material": "M-FLANGE",
            "lines-0-quantity": "99",
        },
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "在您打开之后，其他人修改了此记录" in html
    assert "我的修改</textarea>" in html
    assert 'value="99"' in html
    order.refresh_from_db()
    assert order.version == 2
    assert order.note == "changed elsewhere"


def test_sales_of_another_region_get_404(client_as, sales_east, sales_north, customer_east):
    order = make_order(actor=sales_east, customer=customer_east)
    client = client_as(sales_north)

    assert client.get(f"/orders/{order.pk}/").status_code == 404
    assert client.get(f"/orders/{order.pk}/edit/").status_code == 404
    assert client.post(f"/orders/{order.pk}/edit/", {"version": "1"}).status_code == 404
    assert (
        client.post(
            f"/orders/{order.pk}/transition/", {"action": "submit", "version": "1"}
        ).status_code
        == 404
    )


def test_warehouse_sees_price_terms_read_only(
    client_as, warehouse, sales_east, customer_east, flange
):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "M-FLANGE", "quantity": "2", "unit_price": "11"}],
    )

    html = client_as(warehouse).get(f"/orders/{order.pk}/edit/").content.decode()

    assert re.search(r'name="discount_rate"[^>]*disabled', html)
    assert re.search(r'name="tax_rate"[^>]*disabled', html)
    assert re.search(r'name="payment_terms"[^>]*disabled', html)
    assert re.search(r'name="lines-0-unit_price"[^>]*value="11"[^>]*disabled', html)
    assert re.search(r'name="lines-0-quantity"(?:(?!disabled)[^>])*>', html)


def _warehouse_post(**extra):
    data = {
        "version": "1",
        "customer": "C-EAST",
        "due_date": _due(12),
        "priority": "normal",
        "note": "仓库备注",
        "lines-0-material": "M-FLANGE",
        "lines-0-quantity": "2",
    }
    data.update(extra)
    return data


def test_warehouse_can_edit_other_fields(client_as, warehouse, sales_east, customer_east, flange):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "M-FLANGE", "quantity": "2", "unit_price": "11"}],
    )

    # the due date stays as it is: it belongs to sales and planning
    response = client_as(warehouse).post(
        f"/orders/{order.pk}/edit/", _warehouse_post(due_date=order.due_date.isoformat())
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.note == "仓库备注"
    assert order.lines.get().unit_price == Decimal("11")


def test_warehouse_cannot_change_prices_by_forging_the_post(
    client_as, warehouse, sales_east, customer_east, flange
):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "M-FLANGE", "quantity": "2", "unit_price": "11"}],
    )
    client = client_as(warehouse)

    forged_terms = client.post(f"/orders/{order.pk}/edit/", _warehouse_post(discount_rate="50"))
    forged_price = client.post(
        f"/orders/{order.pk}/edit/", _warehouse_post(**{"lines-0-unit_price": "1"})
    )

    for response in (forged_terms, forged_price):
        assert response.status_code == 403
        assert "您不能修改这些字段" in response.content.decode()
    assert "折扣" in forged_terms.content.decode()
    assert "单价" in forged_price.content.decode()
    order.refresh_from_db()
    assert order.version == 1
    assert order.discount_rate == Decimal("0")
    assert order.lines.get().unit_price == Decimal("11")


def test_roles_that_cannot_create_get_403(client_as, warehouse):
    assert client_as(warehouse).get("/orders/new/").status_code == 403


def test_non_editable_order_redirects_to_detail(client_as, sales_east, customer_east, shaft):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        status="confirmed",
        lines=[{"material": shaft.code, "quantity": "1"}],
    )

    response = client_as(sales_east).get(f"/orders/{order.pk}/edit/")

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"


def _edit_page_post(html: str, **changes) -> dict:
    """What the browser sends from the edit page as rendered: every named input with its value
    except the disabled ones (a browser never submits those), then ``changes``."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or " disabled" in tag or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    data.update({"priority": "normal", "save": "1"}, **changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_role_without_prices_removing_a_line_keeps_the_others_negotiated_prices(
    client_as, planner, warehouse, sales_east, customer_east, flange, shaft
):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[
            {"material": "M-FLANGE", "quantity": "1", "unit_price": "533.95"},
            {"material": "M-SHAFT", "quantity": "2", "unit_price": "70"},
            {"material": "M-FLANGE", "quantity": "3", "unit_price": "600"},
        ],
    )
    client = client_as(planner)
    html = client.get(f"/orders/{order.pk}/edit/").content.decode()
    assert re.search(r'name="lines-0-unit_price"[^>]*disabled', html)

    # the first row removed: its inputs are gone from the post
    post = _edit_page_post(
        html, **{f"lines-0-{f}": None for f in ("material", "quantity", "unit_price", "line_no")}
    )
    response = client.post(f"/orders/{order.pk}/edit/", post)

    assert response.status_code == 302
    assert [
        (ln.material.code, ln.quantity, ln.unit_price)
        for ln in order.lines.select_related("material").order_by("line_no")
    ] == [
        ("M-SHAFT", Decimal("2.000"), Decimal("70.00")),
        ("M-FLANGE", Decimal("3.000"), Decimal("600.00")),
    ]

    # a forged price for a kept line is still a form error
    html = client_as(warehouse).get(f"/orders/{order.pk}/edit/").content.decode()
    forged = client_as(warehouse).post(
        f"/orders/{order.pk}/edit/", _edit_page_post(html, **{"lines-1-unit_price": "88"})
    )
    assert forged.status_code == 403
    assert "单价" in forged.content.decode()
    assert order.lines.get(material__code="M-FLANGE").unit_price == Decimal("600.00")
