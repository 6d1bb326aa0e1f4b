"""Approval fixtures: a factory that sells made-to-order parts from stock and production."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from zhongshu.approvals import services


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(db):
    east = RegionFactory(name="华东")
    return {
        "admin": make_user("admin", username="a.admin"),
        "sales": make_user("sales", regions=("华东",), username="s.sales"),
        "planner": make_user("planner", username="p.planner"),
        "manager": make_user("manager", username="m.manager"),
        "manager2": make_user("manager", username="m.manager2"),
        "finance": make_user("finance", username="f.finance"),
        "east": east,
    }


@pytest.fixture
def world(people):
    """A customer in 华东, a stock part with 100 in the warehouse and a make part."""
    customer = CustomerFactory(code="C-AP", name="苏州精工", region=people["east"])
    stock = MaterialFactory(code="M-BOLT", fulfilment="stock", standard_price=Decimal("5"))
    make = MaterialFactory(code="M-SHAFT", fulfilment="make", standard_price=Decimal("100"))
    make_warehouse()
    put_stock(stock, 100)
    return {**people, "customer": customer, "stock": stock, "make": make}


def step(name, role="", users=(), mode="any", when="always", condition=None, **kw):
    return {
        "name": name,
        "role": role,
        "users": list(users),
        "mode": mode,
        "when": when,
        "condition": condition or {},
        **kw,
    }


def make_flow(admin, kinds, steps, **extra):
    return services.flow_create(
        actor=admin, data={"name": "/".join(kinds), "kinds": list(kinds), "steps": steps, **extra}
    )


def order_for(world, *, status=None, priority="normal", bolts="10", shafts="4", due=30):
    return make_order(
        actor=world["sales"],
        customer=world["customer"],
        lines=[
            {"material": "M-BOLT", "quantity": bolts},
            {"material": "M-SHAFT", "quantity": shafts},
        ],
        status=status,
        priority=priority,
        due_in_days=due,
    )


def later(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)
