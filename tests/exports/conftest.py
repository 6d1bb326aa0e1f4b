import pytest
from django.test import Client

from tests.factories import CustomerFactory, MaterialFactory, make_order, make_user


@pytest.fixture
def web_as():
    def login(user, language="zh-hans"):
        client = Client(headers={"Accept-Language": language})
        client.force_login(user)
        return client

    return login


@pytest.fixture
def two_regions(east, north, sales_east):
    """Three east and two north orders, each for its own customer, created by an admin."""
    admin = make_user("admin")
    material = MaterialFactory(code="M-EXP-1")
    line = [{"material": material.code, "quantity": "3", "unit_price": "12.50"}]
    orders = {"east": [], "north": []}
    for key, region, n in (("east", east, 3), ("north", north, 2)):
        for i in range(n):
            customer = CustomerFactory(code=f"C-{key.upper()}-{i}", region=region)
            orders[key].append(make_order(actor=admin, customer=customer, lines=line))
    return orders
