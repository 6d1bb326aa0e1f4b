"""The supplier permission matrix: every role × every supplier action (API and web), with the
exact status, written out by hand. A refused request changes nothing; an allowed write does."""

import datetime as dt
from decimal import Decimal as D

import pytest

from tests.factories import MaterialFactory, make_user
from tests.support.matrix import expect_outcome, request_as
from zhongshu.planning.models import Supplier, SupplierPrice

ROLES = ("admin", "manager", "sales", "planner", "supervisor", "operator", "qc", "warehouse",
         "purchasing", "finance")  # fmt: skip
VIEW = {"admin", "manager", "planner", "purchasing"}
EDIT = {"admin", "purchasing"}

# action: (who may, via, method, path, body, status when allowed, status when refused)
ACTIONS = {
    "api_list": (VIEW, "api", "get", "/api/v1/planning/suppliers", None, 200, 403),
    "api_get": (VIEW, "api", "get", "/api/v1/planning/suppliers/S-1", None, 200, 403),
    "api_export": (VIEW, "api", "get", "/api/v1/planning/suppliers/export.xlsx", None, 200, 403),
    "api_create": (EDIT, "api", "post", "/api/v1/planning/suppliers",
                   {"code": "S-2", "name": "新厂"}, 201, 403),
    "api_edit": (EDIT, "api", "patch", "/api/v1/planning/suppliers/S-1", {"phone": "110"}, 200, 403),
    "api_deactivate": (EDIT, "api", "post", "/api/v1/planning/suppliers/S-1/deactivate", {},
                       200, 403),
    "api_prices": (VIEW, "api", "get", "/api/v1/planning/supplier-prices", None, 200, 403),
    "api_price_create": (EDIT, "api", "post", "/api/v1/planning/supplier-prices",
                         {"supplier": "S-1", "material": "RAW-1", "price": "3"}, 201, 403),
    "api_price_edit": (EDIT, "api", "patch", "/api/v1/planning/supplier-prices/{P}",
                       {"price": "4"}, 200, 403),
    "web_list": (VIEW, "web", "get", "/planning/suppliers/", None, 200, 403),
    "web_export": (VIEW, "web", "get", "/planning/suppliers/export.xlsx", None, 200, 403),
    "web_form": (EDIT, "web", "get", "/planning/suppliers/S-1/", None, 200, 403),
    "web_create": (EDIT, "web", "post", "/planning/suppliers/new/",
                   {"code": "S-3", "name": "网页厂", "lead_time_days": "1"}, 302, 403),
    "web_deactivate": (EDIT, "web", "post", "/planning/suppliers/S-1/deactivate/", {}, 302, 403),
    "web_price_add": (EDIT, "web", "post", "/planning/suppliers/S-1/prices/",
                      {"material": "RAW-1", "price": "2"}, 302, 403),
}  # fmt: skip
WRITES = {"api_create", "api_edit", "api_deactivate", "api_price_create", "api_price_edit",
          "web_create", "web_deactivate", "web_price_add"}  # fmt: skip


def _world():
    supplier = Supplier.objects.create(code="S-1", name="华东钢材")
    raw = MaterialFactory(code="RAW-1", kind="raw")
    price = SupplierPrice.objects.create(
        supplier=supplier, material=raw, price=D("1.5"), valid_from=dt.date(2030, 1, 1)
    )
    return price


def _state():
    return (
        list(Supplier.objects.order_by("code").values_list("code", "phone", "active")),
        list(SupplierPrice.objects.order_by("id").values_list("price", flat=True)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(db, api_as, role, action):
    allowed_roles, via, method, path, body, ok, refused = ACTIONS[action]
    price = _world()
    pristine = _state()
    user = make_user(role, regions=("华东",) if role == "sales" else ())
    path = path.replace("{P}", str(price.pk))
    response = request_as(api_as, user, via, method, path, body)
    expect_outcome(
        response,
        allowed=role in allowed_roles,
        ok=ok,
        refused=refused,
        writes=action in WRITES,
        changed=_state() != pristine,
    )
