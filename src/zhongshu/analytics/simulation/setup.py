"""The simulated factory's master data on a scratch database, written through the services."""

from decimal import Decimal

from zhongshu.accounts.models import Region
from zhongshu.accounts.services import region_create, user_create
from zhongshu.approvals.services import flow_create
from zhongshu.catalog.models import Material
from zhongshu.catalog.services import material_create
from zhongshu.customers.services import customer_create
from zhongshu.production.services import routing_set, work_center_create

from .model import Factory

REGION = "华东"
ROLES = ["sales", "planner", "manager", "supervisor", "qc", "warehouse", "admin"]
PASSWORD = "Sim-Factory-2026!"


def prepare(factory: Factory) -> None:
    """Users (one per role), the 40 customers, the 60 products with their routings over the
    lines, and a rush-order approval flow."""
    if not Region.objects.filter(name=REGION).exists():
        region_create(actor=None, name=REGION)
    for role in ROLES:
        user_create(
            actor=None, username=f"sim_{role}", password=PASSWORD, roles=[role],
            regions=[REGION] if role == "sales" else [], check_password_strength=False,
        )  # fmt: skip
    admin = actors()["admin"]
    for k, code in enumerate(factory.customers):
        customer_create(actor=admin, code=code, name=f"模拟客户{k + 1:02d}", region=REGION)
    for code, name, hours, shifts in factory.lines:
        work_center_create(
            actor=None, code=code, name=name, hours_per_shift=Decimal(hours), shifts_per_day=shifts
        )
    for p in factory.products:
        material_create(
            actor=admin, code=p.code, name=p.name, unit="件", kind="finished", fulfilment="make",
            standard_price=Decimal(str(p.price)), safety_stock=Decimal(0),
            lead_time_days=p.part_lead_days,
        )  # fmt: skip
        routing_set(
            actor=None, material_code=p.code,
            operations=[
                {"work_center": op.line, "name": op.name,
                 "setup_hours": f"{op.setup_hours:.3f}", "run_hours_per_unit": f"{op.run_hours:.3f}"}
                for op in p.ops
            ],
        )  # fmt: skip
    flow_create(
        actor=admin,
        data={"name": "加急订单审批", "kinds": ["rush"],
              "steps": [{"name": "总经理审批", "role": "manager"}]},
    )  # fmt: skip


def actors() -> dict:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=[f"sim_{r}" for r in ROLES])
    return {u.username.removeprefix("sim_"): u for u in users}


def product_ids(factory: Factory) -> dict[str, int]:
    codes = [p.code for p in factory.products]
    return dict(Material.objects.filter(code__in=codes).values_list("code", "id"))
