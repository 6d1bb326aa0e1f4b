"""The reconciliation statement (对账单): numbers checked against a brute-force recomputation over
every shipment line in the database, period boundaries to the second, scope, the workbook."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.exports.helpers import read_sheet, response_bytes, sheet_xml
from tests.factories import CustomerFactory, MaterialFactory, make_order, make_user, put_stock
from zhongshu.accounts.models import ExportLog
from zhongshu.finance.selectors import Period, reconciliation
from zhongshu.inventory.models import Shipment, ShipmentLine
from zhongshu.inventory.services import shipment_create

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
TZ = timezone.get_current_timezone()


def at(day: dt.date, hour=12, minute=0, second=0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def ship(keeper, order, when: dt.datetime, lines=None) -> Shipment:
    shipment = shipment_create(actor=keeper, order_id=order.pk, lines=lines)
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=when)
    return shipment


def brute_force(customer, start: dt.date, end: dt.date) -> dict:
    """Walk every shipment line there is and add up by hand (no filtering in the database)."""
    opening = shipped = Decimal(0)
    for sl in ShipmentLine.objects.select_related("shipment__order", "order_line"):
        order = sl.shipment.order
        if order.customer_id != customer.pk:
            continue
        base = (sl.quantity * sl.order_line.unit_price).quantize(CENT, ROUND_HALF_UP)
        net = base * (100 - order.discount_rate) / 100
        amount = net.quantize(CENT, ROUND_HALF_UP) + (net * order.tax_rate / 100).quantize(
            CENT, ROUND_HALF_UP
        )
        day = timezone.localtime(sl.shipment.shipped_at).date()
        if day < start:
            opening += amount
        elif day <= end:
            shipped += amount
    return {"opening": opening, "shipped": shipped, "closing": opening + shipped}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_statement_numbers_equal_a_brute_force_recomputation(seed, east, keeper, clerk):
    # given random orders of two customers, shipped in random parts on random days
    rnd = random.Random(seed)
    admin = make_user("admin")
    target, other = CustomerFactory(region=east), CustomerFactory(region=east)
    materials = [MaterialFactory(fulfilment="stock") for _ in range(4)]
    for m in materials:
        put_stock(m, "100000", actor=keeper)
    today = timezone.localdate()
    for _ in range(6):
        customer = rnd.choice([target, target, other])
        lines = [
            {
                "material": m.code,
                "quantity": str(rnd.randint(1, 40)),
                "unit_price": str(Decimal(rnd.randint(100, 99999)) / 100),
            }
            for m in rnd.sample(materials, rnd.randint(1, 3))
        ]
        order = make_order(
            actor=admin,
            customer=customer,
            lines=lines,
            status="confirmed",
            discount_rate=str(rnd.choice([0, 0, 5, 12.5])),
            tax_rate=str(rnd.choice([13, 13, 9, 0])),
        )
        remaining = {n: int(line["quantity"]) for n, line in enumerate(lines, start=1)}
        for _ in range(rnd.randint(1, 3)):
            part = []
            for n, left in remaining.items():
                if left > 1 and rnd.random() < 0.7:
                    qty = rnd.randint(1, left - 1)  # leave some: the order stays shippable
                    remaining[n] -= qty
                    part.append({"line_no": n, "quantity": str(qty)})
            if part:
                when = at(today - dt.timedelta(days=rnd.randint(0, 90)), rnd.randint(0, 23))
                ship(keeper, order, when, part)
        if rnd.random() < 0.5:
            ship(keeper, order, at(today - dt.timedelta(days=rnd.randint(0, 90))))  # the rest
    start, end = today - dt.timedelta(days=60), today - dt.timedelta(days=20)

    # when the finance clerk draws up the statement
    st = reconciliation(actor=clerk, period=Period(target.code, start, end))

    # then every figure is the hand-made one
    expected = brute_force(target, start, end)
    assert expected["opening"] > 0 and expected["shipped"] > 0  # the seeds cover both sides
    assert st.opening_balance == expected["opening"]
    assert st.shipped_total == expected["shipped"]
    assert st.paid_total == 0
    assert st.closing_balance == expected["closing"]
    assert sum(len(s.lines) for s in st.shipments) == sum(
        1
        for sl in ShipmentLine.objects.filter(shipment__order__customer=target)
        if start <= timezone.localtime(sl.shipment.shipped_at).date() <= end
    )


def test_a_fully_shipped_order_is_owed_exactly_its_total(east, keeper, clerk):
    # given an order with a discount, shipped in one go
    admin = make_user("admin")
    customer = CustomerFactory(region=east)
    material = MaterialFactory(fulfilment="stock")
    put_stock(material, "100", actor=keeper)
    order = make_order(
        actor=admin,
        customer=customer,
        lines=[{"material": material.code, "quantity": "7", "unit_price": "13.33"}],
        status="confirmed",
        discount_rate="3",
    )
    today = timezone.localdate()
    ship(keeper, order, at(today))
    order.refresh_from_db()

    # when the statement of this month is drawn up
    st = reconciliation(actor=clerk, period=Period(customer.code, today.replace(day=1), today))

    # then the amount shipped is the order's total, and the order is listed
    assert st.shipped_total == order.total_amount
    assert [o.number for o in st.orders] == [order.number]
    assert st.closing_balance == order.total_amount


def test_period_boundaries_are_local_days_inclusive(east, keeper, clerk):
    # given four shipments of one line of 10 × 1.00 (no tax) around a period [Mar 1, Mar 31]
    admin = make_user("admin")
    customer = CustomerFactory(region=east)
    material = MaterialFactory(fulfilment="stock")
    put_stock(material, "100", actor=keeper)
    order = make_order(
        actor=admin,
        customer=customer,
        lines=[{"material": material.code, "quantity": "40", "unit_price": "1"}],
        status="confirmed",
        tax_rate="0",
    )
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    for when in (
        at(dt.date(2026, 2, 28), 23, 59, 59),  # the last second before: opening balance
        at(start, 0, 0, 0),  # the first second: in
        at(end, 23, 59, 59),  # the last second: in
        at(dt.date(2026, 4, 1), 0, 0, 0),  # the first second after: out
    ):
        ship(keeper, order, when, [{"line_no": 1, "quantity": "10"}])

    # when the March statement is drawn up
    st = reconciliation(actor=clerk, period=Period(customer.code, start, end))

    # then 10 is brought forward, 20 shipped in March, April's 10 is not there
    assert st.opening_balance == Decimal("10.00")
    assert st.shipped_total == Decimal("20.00")
    assert st.closing_balance == Decimal("30.00")
    assert [s.date for s in st.shipments] == [start, end]


def test_no_payments_is_said_plainly(east, clerk):
    # given a customer with nothing at all
    customer = CustomerFactory(region=east)
    today = timezone.localdate()

    # when the statement is drawn up
    st = reconciliation(actor=clerk, period=Period(customer.code, today, today))

    # then it is all zero and lists no payments
    assert (st.opening_balance, st.shipped_total, st.paid_total, st.closing_balance) == (0, 0, 0, 0)
    assert st.payments == []
    assert st.payments_recorded is True


# --- API, web, workbook ---------------------------------------------------------------------------


@pytest.fixture
def shipped(east, north, keeper):
    admin = make_user("admin")
    material = MaterialFactory(fulfilment="stock", code="M-REC")
    put_stock(material, "100", actor=keeper)
    out = {}
    for key, region in (("east", east), ("north", north)):
        customer = CustomerFactory(region=region, code=f"C-REC-{key.upper()}", name=f"{key}客户")
        order = make_order(
            actor=admin,
            customer=customer,
            lines=[{"material": material.code, "quantity": "2", "unit_price": "50"}],
            status="confirmed",
        )
        ship(keeper, order, timezone.now())
        out[key] = customer
    return out


def _query(customer):
    today = timezone.localdate()
    return f"customer={customer.code}&start={today.replace(day=1)}&end={today}"


def test_api_statement_json(shipped, clerk, api_as):
    # when finance asks the API for the east customer's statement of this month
    r = api_as(clerk).get(f"/api/v1/finance/reconciliation?{_query(shipped['east'])}")

    # then the numbers are there: 2 × 50 + 13% tax = 113.00
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["customer"]["code"] == "C-REC-EAST"
    assert Decimal(body["shipped_total"]) == Decimal("113.00")
    assert Decimal(body["closing_balance"]) == Decimal("113.00")
    assert body["payments"] == [] and body["payments_recorded"] is True
    assert Decimal(body["shipments"][0]["lines"][0]["amount"]) == Decimal("113.00")


def test_sales_see_only_their_regions_statements(shipped, sales_east, api_as):
    # given a sales user of the east region
    api = api_as(sales_east)

    # when they ask for their own and for a north customer's statement
    own = api.get(f"/api/v1/finance/reconciliation?{_query(shipped['east'])}")
    other = api.get(f"/api/v1/finance/reconciliation?{_query(shipped['north'])}")
    other_xlsx = api.get(f"/api/v1/finance/reconciliation.xlsx?{_query(shipped['north'])}")

    # then their own is there and the other region's does not exist for them
    assert own.status_code == 200
    assert other.status_code == 404
    assert other_xlsx.status_code == 404
    assert not ExportLog.objects.exists()


def test_bad_inputs_are_all_reported_at_once(clerk, api_as):
    # when the statement is asked for without a customer and with a nonsense start date
    r = api_as(clerk).get("/api/v1/finance/reconciliation?start=2026-13-01&end=")

    # then one 422 names every bad field
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["details"]["errors"]}
    assert fields == {"customer", "start", "end"}
    reversed_ = api_as(clerk).get(
        "/api/v1/finance/reconciliation?customer=X&start=2026-03-02&end=2026-03-01"
    )
    assert reversed_.status_code == 422


def test_the_workbook_is_a_statement_a_customer_can_sign(shipped, clerk, api_as):
    # when finance downloads the east customer's statement
    r = api_as(clerk).get(f"/api/v1/finance/reconciliation.xlsx?{_query(shipped['east'])}")

    # then it reads back with the title, customer, tables, totals and signature lines
    assert r.status_code == 200
    data = response_bytes(r)
    cells = [c for row in read_sheet(data) for c in row if c not in ("", None)]
    assert cells[0] == "对账单"
    assert "C-REC-EAST east客户" in cells
    for text in (
        "期初余额",
        "本期发货明细",
        "本期收款明细",
        "暂无收款记录。",
        "客户确认（盖章）：",
    ):
        assert text in cells
    assert 113.0 in cells
    # printed A4 landscape, one page wide, header rows repeated
    workbook_xml = sheet_xml(data)
    assert 'orientation="landscape"' in workbook_xml
    assert 'paperSize="9"' in workbook_xml
    assert 'fitToWidth="1"' in workbook_xml or "fitToPage" in workbook_xml
    # and the download was logged
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.filters["customer"]) == (clerk, "reconciliation", "C-REC-EAST")


def test_the_workbook_prints_the_company_page_name_before_the_setting(
    shipped, clerk, api_as, settings
):
    from zhongshu.documents.company import company_save

    settings.COMPANY_NAME = "环境设置公司"
    url = f"/api/v1/finance/reconciliation.xlsx?{_query(shipped['east'])}"

    def cells() -> list:
        data = response_bytes(api_as(clerk).get(url))
        return [c for row in read_sheet(data) for c in row if c not in ("", None)]

    # while the company page is blank the setting is printed
    assert "环境设置公司" in cells()
    # once the admin names the company on its page, that name is printed instead
    company_save(actor=make_user("admin"), name="页面上的公司有限公司", tax_id="91310000X")
    printed = cells()
    assert "页面上的公司有限公司" in printed
    assert "环境设置公司" not in printed


def test_the_web_page_previews_and_links_the_download(shipped, clerk):
    # given the finance clerk in the browser
    client = Client()
    client.force_login(clerk)

    # when they open the page, then ask for the east customer's statement
    empty = client.get("/finance/statement/")
    page = client.get(f"/finance/statement/?{_query(shipped['east'])}")
    download = client.get(f"/finance/statement.xlsx?{_query(shipped['east'])}")

    # then the preview shows the balance and the download is an xlsx
    assert empty.status_code == 200
    html = page.content.decode()
    assert page.status_code == 200
    assert "113.00" in html
    assert "暂无收款记录" in html
    assert "/finance/statement.xlsx?customer=C-REC-EAST" in html
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_web_page_shows_bad_input_on_the_form(clerk):
    client = Client()
    client.force_login(clerk)

    # when the period is reversed and no customer given
    page = client.get("/finance/statement/?customer=&start=2026-03-02&end=2026-03-01")

    # then the page answers 422 with the errors, not a 500
    assert page.status_code == 422
    assert "结束日期早于开始日期" in page.content.decode()


@pytest.mark.parametrize("shipments", [1, 10])
def test_the_statement_costs_the_same_queries_for_1_or_10_shipments(
    shipments, east, keeper, clerk, api_as, django_assert_max_num_queries
):
    # given an order shipped in 1 or 10 parts this month
    admin = make_user("admin")
    customer = CustomerFactory(region=east)
    material = MaterialFactory(fulfilment="stock")
    put_stock(material, "100", actor=keeper)
    order = make_order(
        actor=admin,
        customer=customer,
        lines=[{"material": material.code, "quantity": "20", "unit_price": "3"}],
        status="confirmed",
    )
    for _ in range(shipments):
        ship(keeper, order, timezone.now(), [{"line_no": 1, "quantity": "1"}])
    api = api_as(clerk)
    api.get(f"/api/v1/finance/reconciliation?{_query(customer)}")  # the token's first use

    # when the statement is asked for, then the query count does not depend on the shipments
    # auth, customer, shipped before, paid before, payments, adjusted before, adjustments,
    # shipments in the period, orders placed, and one spare
    with django_assert_max_num_queries(11):  # 11th: the opening receivables (imported)
        r = api.get(f"/api/v1/finance/reconciliation?{_query(customer)}")
    assert len(r.json()["shipments"]) == shipments
