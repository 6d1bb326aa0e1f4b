"""Tests over the demo factory. Seeding it is the most expensive set-up of the suite, so the
package seeds it once (per test worker) inside a transaction that is rolled back at the end; each
test runs in a savepoint of it, so what a test writes is gone before the next one. Nothing here
may use another connection (live server, threads): they would not see the uncommitted demo."""

import io
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from zhongshu.core import demo


def _ids() -> dict:
    """Demo records to fill the arguments of routes: an 华东 order, its customer, a material."""
    from zhongshu.catalog.models import Material
    from zhongshu.orders.models import Order

    order = Order.objects.filter(customer__region__name="华东").order_by("-id").first()
    material = Material.objects.order_by("id").first()
    return {
        "order_id": order.pk, "pk": order.pk, "id": order.pk, "number": order.number,
        "material": material.code, "code": material.code, "material_code": material.code,
        "customer_id": order.customer_id, "customer": order.customer.code,
    }  # fmt: skip


@pytest.fixture(scope="package")
def demo_factory(django_db_setup, django_db_blocker):
    """The demo as ``zhongshu demo`` leaves it: shipped rules and flows on, the work a commit
    triggers (schedule, plans, load) run as on a real commit. Each test then switches the shipped
    rules off as everywhere outside tests/rules (tests/conftest.py)."""
    from zhongshu.approvals.defaults import install as install_flows
    from zhongshu.approvals.models import Flow, FlowStep
    from zhongshu.rules.defaults import install as install_rules
    from zhongshu.rules.models import Rule

    with django_db_blocker.unblock(), transaction.atomic():
        # the shipped rules and approval flows as a new install has them, whatever an earlier
        # transactional test of this worker left behind: the demo is seeded as `zhongshu demo`
        # seeds it
        install_rules(Rule)
        Rule.objects.exclude(builtin_key="").update(enabled=True)
        install_flows(Flow, FlowStep)
        Flow.objects.exclude(builtin_key="").update(active=True)
        with demo.replay(), TestCase.captureOnCommitCallbacks(execute=True):
            ctx = demo.seed_demo(io.StringIO())
        yield SimpleNamespace(ctx=ctx, now=timezone.now(), today=ctx.today, ids=_ids())
        transaction.set_rollback(True)
