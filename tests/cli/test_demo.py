import contextlib
import io
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhongshu.core import demo
from zhongshu.customers.models import Customer
from zhongshu.orders.models import Order, OrderNumberSequence
from zhongshu.orders.statuses import OrderStatus

User = get_user_model()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo command's first run on an empty database — the one seeding of this module, rolled
    back at its end: what it printed and the context ``seed_demo`` returned."""
    from zhongshu.rules.models import Rule

    contexts = []
    seed_demo = demo.seed_demo

    def recording(*args, **kwargs):
        contexts.append(seed_demo(*args, **kwargs))
        return contexts[-1]

    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        Rule.objects.exclude(builtin_key="").update(enabled=False)  # as for every test here
        with mock.patch.object(demo, "seed_demo", recording), contextlib.redirect_stdout(out):
            call_command("demo", "--no-serve")
        yield SimpleNamespace(ctx=contexts[0], out=out.getvalue())
        transaction.set_rollback(True)


def test_demo_modules_seed_in_their_declared_order(db):
    names = [m.__name__ for m in demo.demo_modules()]
    orders = [m.SEED_ORDER for m in demo.demo_modules()]
    assert names[0] == "zhongshu.accounts.demo"
    assert orders == sorted(orders)
    assert names.index("zhongshu.customers.demo") < names.index("zhongshu.orders.demo")
    assert names.index("zhongshu.catalog.demo") < names.index("zhongshu.orders.demo")


def test_seed_demo_builds_a_factory_once_and_never_twice(seeded, db):
    # when
    ctx = seeded.ctx
    # then: logins for every role, customers in four regions, orders in every state
    assert ctx is not None
    assert User.objects.count() == 12
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in User.objects.filter(username="admin"))
    assert set(Customer.objects.values_list("region__name", flat=True)) == {
        "华东",
        "华南",
        "华北",
        "西南",
    }
    # (about 340 entered by sales, most of them the simulated history; imported and channel
    # orders come on top)
    assert ctx.counts["orders"] >= 300
    total = Order.objects.count()
    assert total >= ctx.counts["orders"]
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    year_counter = OrderNumberSequence.objects.get(year=ctx.today.year).last_value
    assert year_counter == total  # numbered without gaps, whichever road the order came by
    # and a second run changes nothing
    assert demo.seed_demo() is None
    assert Order.objects.count() == total
    assert User.objects.count() == 12


def test_demo_orders_have_history_in_the_past(seeded, db):
    ctx = seeded.ctx
    oldest = Order.objects.order_by("created_at").first()
    assert (ctx.today - oldest.created_at.date()).days >= 200
    completed = Order.objects.filter(status="completed")
    assert completed.filter(shipped_at__isnull=True).count() == 0
    assert completed.filter(shipped_at__gt=F("completed_at")).count() == 0
    assert Order.objects.filter(updated_at__gt=timezone.now()).count() == 0


def test_demo_command_prints_the_logins(seeded, db, capsys):
    out = seeded.out
    assert f"password for all: {demo.DEMO_PASSWORD}" in out
    assert "sales_south  sales       华南, 西南" in out
    # a second run keeps the data
    call_command("demo", "--no-serve")
    assert "already has data" in capsys.readouterr().out
