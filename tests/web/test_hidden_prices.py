"""Prices on the order pages follow the reader's roles: a role that hides the price fields sees
no unit price, amount, subtotal or total on the list, the detail or the edit form."""

import pytest

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.accounts import role_services
from zhongshu.accounts.services import user_update
from zhongshu.web.templatetags.zs_format import money

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    admin = make_user("admin")
    role_services.role_create(
        actor=admin,
        code="sales_quiet",
        copy_from="sales",
        data={"name": "销售内勤", "fields": {"price": "hidden"}},
    )
    sales = make_user("sales", regions=("华东",))
    lines = [{"material": MaterialFactory().code, "quantity": "3", "unit_price": "1234.5"}]
    order = make_order(actor=sales, lines=lines)
    quiet = make_user("sales", regions=("华东",))
    user_update(
        actor=admin, user_id=quiet.pk, display_name="内勤", roles=["sales_quiet"], regions=["华东"]
    )
    order.refresh_from_db()
    line = order.lines.get()
    figures = [money(v) for v in (line.unit_price, line.amount, order.subtotal, order.total_amount)]
    return sales, quiet, order, figures


def test_sales_sees_the_prices_on_list_detail_and_form(client_as, world):
    sales, _quiet, order, figures = world
    client = client_as(sales)
    listing = client.get("/orders/").content.decode()
    assert order.number in listing and money(order.total_amount) in listing
    detail = client.get(f"/orders/{order.pk}/").content.decode()
    assert all(f in detail for f in figures), figures
    form = client.get(f"/orders/{order.pk}/edit/").content.decode()
    assert 'name="discount_rate"' in form and 'name="lines-0-unit_price"' in form


def test_a_role_hiding_prices_sees_no_figures(client_as, world):
    _sales, quiet, order, figures = world
    client = client_as(quiet)
    listing = client.get("/orders/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert order.number in html
    assert "c-total" not in html and money(order.total_amount) not in html
    detail = client.get(f"/orders/{order.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert order.number in html
    assert not [f for f in figures if f in html]
    assert "单价" not in html and "合计" not in html
    form = client.get(f"/orders/{order.pk}/edit/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="discount_rate"' not in html and "unit_price" not in html
    assert 'name="note"' in html


def test_saving_the_form_without_prices_keeps_the_stored_ones(client_as, world):
    _sales, quiet, order, figures = world
    line = order.lines.get()
    data = {
        "version": str(order.version),
        "customer": order.customer.code,
        "due_date": order.due_date.isoformat(),
        "priority": order.priority,
        "note": "已跟进",
        "lines-0-line_no": str(line.line_no),
        "lines-0-material": line.material.code,
        "lines-0-quantity": "3",
    }
    response = client_as(quiet).post(f"/orders/{order.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    order.refresh_from_db()
    assert order.note == "已跟进"
    assert [money(order.lines.get().unit_price), money(order.total_amount)] == [
        figures[0],
        figures[3],
    ]
