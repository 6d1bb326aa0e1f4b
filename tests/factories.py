"""All test factories in one place: each builds a valid object through the real services where
that matters (orders get numbers, events and amounts the way production code makes them)."""

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from zhongshu.accounts.models import Region
from zhongshu.accounts.services import user_create
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer

PASSWORD = "Test-pass-2026"
_seq = itertools.count(1)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"区域{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"客户{n}有限公司")
    region = factory.SubFactory(RegionFactory)
    contact = "张经理"
    phone = "13800000000"


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material
        skip_postgeneration_save = True  # the routing hook below saves what it creates itself

    code = factory.Sequence(lambda n: f"M-{n:05d}")
    name = factory.Sequence(lambda n: f"零件{n}")
    unit = "件"
    kind = "finished"
    fulfilment = "stock"
    standard_price = Decimal("10.00")

    @factory.post_generation
    def routing(obj, create, extracted, **kwargs):
        """Make-to-order products get a one-operation routing on the default test line, so
        orders containing them can be confirmed; ``routing=False`` leaves the product without."""
        if create and obj.fulfilment == "make" and extracted is not False:
            give_routing(obj)


def default_line():
    """The production line test products are made on (created the first time it is needed)."""
    from zhongshu.production.models import WorkCenter

    return WorkCenter.objects.get_or_create(
        code="T-LINE", defaults={"name": "测试线", "hours_per_shift": 8, "shifts_per_day": 2}
    )[0]


def give_routing(material, *operations):
    """Give ``material`` a routing: ``operations`` are (line, setup hours, run hours per unit,
    default owner or None); without any, one operation on the default test line."""
    from zhongshu.production.models import Operation, Routing

    routing, _created = Routing.objects.get_or_create(material=material)
    routing.operations.all().delete()
    ops = operations or [(default_line(), Decimal("0.5"), Decimal("0.1"), None)]
    Operation.objects.bulk_create(
        Operation(
            routing=routing,
            sequence=(i + 1) * 10,
            work_center=line,
            setup_hours=Decimal(str(setup)),
            run_hours_per_unit=Decimal(str(run)),
            default_owner=owner,
        )
        for i, (line, setup, run, owner) in enumerate(ops)
    )
    return routing


def give_bom(product, *lines):
    """Give ``product`` a bill of materials: ``lines`` are (component, quantity per unit, scrap %)."""
    from zhongshu.production.models import BomLine

    BomLine.objects.filter(product=product).delete()
    BomLine.objects.bulk_create(
        BomLine(
            product=product,
            component=comp,
            quantity_per_unit=Decimal(str(qty)),
            scrap_percent=Decimal(str(scrap)),
        )
        for comp, qty, scrap in lines
    )


def make_user(*roles: str, regions: tuple[str, ...] = (), username: str | None = None):
    """A user holding ``roles`` (Django groups) and ``regions`` (by name, created if missing)."""
    username = username or f"{'-'.join(roles) or 'nobody'}{next(_seq)}"
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        roles=list(roles),
        regions=list(regions),
        check_password_strength=False,
    )


def make_order(*, actor, customer=None, lines=None, due_in_days=30, status=None, **extra):
    """A draft order created by ``actor`` through ``order_create``; ``status`` walks it along
    the status machine with an admin, the way the business would."""
    from zhongshu.orders.services import order_create, order_transition

    customer = customer or CustomerFactory(region=RegionFactory(name="华东"))
    if lines is None:
        lines = [{"material": MaterialFactory().code, "quantity": "2", "unit_price": "10"}]
    order = order_create(
        actor=actor,
        customer=customer.code,
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
        lines=lines,
        **extra,
    )
    if status:
        admin = make_user("admin")
        for action in PATH_TO[status]:
            if action == "ship" and order.status == "awaiting_qc":
                pass_inspection(order, actor=admin)  # QC's sign-off is what unlocks shipping
            order = order_transition(actor=admin, order_id=order.pk, action=action, note="test")
    return order


def pass_inspection(order, *, actor=None):
    """Record a passing final inspection for an order awaiting QC (products without a plan)."""
    from zhongshu.quality.services import record_inspection

    return record_inspection(
        actor=actor or make_user("qc"), order_id=order.pk, measurements=[], result="pass"
    )


# The shortest way from draft to each status (for orders with make lines the production path).
PATH_TO = {
    "draft": [],
    "pending_review": ["submit"],
    "confirmed": ["submit", "confirm"],
    "scheduling": ["submit", "confirm", "schedule"],
    "in_production": ["submit", "confirm", "schedule", "start"],
    "awaiting_qc": ["submit", "confirm", "schedule", "start", "finish"],
    "shipped": ["submit", "confirm", "schedule", "start", "finish", "ship"],
    "completed": ["submit", "confirm", "schedule", "start", "finish", "ship", "complete"],
    "cancelled": ["cancel"],
}

User = get_user_model()


# --- inventory -------------------------------------------------------------------------------------


def make_warehouse(code="01", name="成品库", is_default=True):
    from zhongshu.inventory.models import Warehouse

    return Warehouse.objects.get_or_create(
        code=code, defaults={"name": name, "is_default": is_default}
    )[0]


def put_stock(material, quantity, *, warehouse=None, actor=None):
    """Receive ``quantity`` of ``material`` through the real service (the ledger stays whole)."""
    from zhongshu.inventory.services import stock_receive

    wh = warehouse or make_warehouse()
    return stock_receive(
        actor=actor or make_user("warehouse"),
        material=material.code,
        quantity=quantity,
        warehouse=wh.code,
    )
