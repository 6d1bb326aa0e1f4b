from tests.factories import make_order
from zhongshu.orders.models import Order


def _numbers(html: str, orders) -> set[str]:
    return {o.number for o in orders if o.number in html}


def test_the_order_list_says_how_many_orders_match(
    client_as, sales_east, customer_east, flange, shaft
):
    orders = [
        make_order(
            actor=sales_east, customer=customer_east, lines=[{"material": m, "quantity": "1"}]
        )
        for m in (flange.code, shaft.code, shaft.code)
    ]
    client = client_as(sales_east)

    everything = client.get("/orders/?view=0").content.decode()
    shafts = client.get("/orders/?view=0&q=传动轴").content.decode()

    assert "共 3 个订单" in everything
    assert "共 2 个订单" in shafts
    assert _numbers(shafts, orders) == {orders[1].number, orders[2].number}


def test_search_finds_orders_by_material_code_or_name(
    client_as, sales_east, customer_east, flange, shaft
):
    with_flange = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": flange.code, "quantity": "2"}]
    )
    with_shaft = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": shaft.code, "quantity": "2"}]
    )
    client = client_as(sales_east)

    by_code = client.get("/orders/?view=0&q=m-flange").content.decode()
    by_name = client.get("/orders/?view=0&q=法兰").content.decode()

    assert _numbers(by_code, [with_flange, with_shaft]) == {with_flange.number}
    assert _numbers(by_name, [with_flange, with_shaft]) == {with_flange.number}


def test_search_finds_an_order_by_part_of_its_external_number(
    client_as, sales_east, customer_east, flange
):
    order = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": flange.code, "quantity": "1"}]
    )
    other = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": flange.code, "quantity": "1"}]
    )
    Order.objects.filter(pk=order.pk).update(external_no="TB-3390187722516")
    Order.objects.filter(pk=other.pk).update(external_no="TB-1111111111111")
    client = client_as(sales_east)

    tail = client.get("/orders/?view=0&q=22516").content.decode()
    too_short = client.get("/orders/?view=0&q=516").content.decode()

    assert _numbers(tail, [order, other]) == {order.number}
    assert "共 0 个订单" in too_short


def test_a_fragment_of_an_external_number_is_an_index_lookup_on_postgresql(db):
    import pytest
    from django.db import connection

    from zhongshu.orders.selectors import OrderFilters, order_list

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's; SQLite scans its few orders")
    from tests.factories import make_user

    # given the list's own search for the tail of a platform number, planned without table scans
    qs = order_list(actor=make_user("admin"), filters=OrderFilters(q="22516"))
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())

    # then the fragment is looked up in the trigram index, not matched row by row
    assert "order_external_no_trgm" in plan, plan
