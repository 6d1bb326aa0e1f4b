from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_user
from zhongshu.catalog.models import Material

pytestmark = pytest.mark.django_db


def test_planner_creates_a_material_with_full_width_input(api_as, planner):
    r = api_as(planner).post(
        "/api/v1/materials",
        {
            "code": "ｍ－１００",
            "name": "法兰",
            "standard_price": "１，２３４．５",
            "fulfilment": "make",
        },
    )
    assert r.status_code == 201, r.json()
    m = Material.objects.get(code="M-100")
    assert (m.standard_price, m.fulfilment, m.unit, m.kind) == (
        Decimal("1234.50"),
        "make",
        "件",
        "finished",
    )


def test_create_reports_every_bad_field(api_as, planner):
    MaterialFactory(code="M-1")
    r = api_as(planner).post(
        "/api/v1/materials",
        {
            "code": "m-1",
            "name": "",
            "standard_price": "-1",
            "safety_stock": "1e400",
            "lead_time_days": 99999,
        },
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == [
        "code",
        "name",
        "standard_price",
        "safety_stock",
        "lead_time_days",
    ]
    assert Material.objects.count() == 1


@pytest.mark.parametrize("role", ["sales", "warehouse", "operator"])
def test_only_planners_and_admins_manage_materials(api_as, role):
    MaterialFactory(code="M-1", name="旧")
    api = api_as(make_user(role))
    assert api.get("/api/v1/materials/m-1").json()["name"] == "旧"
    r = api.patch("/api/v1/materials/M-1", {"name": "新"})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert Material.objects.get(code="M-1").name == "旧"


def test_update_and_unknown_code(api_as, planner):
    MaterialFactory(code="M-1", standard_price=Decimal("1"))
    api = api_as(planner)
    r = api.patch("/api/v1/materials/M-1", {"standard_price": "2.5", "is_active": False})
    assert r.status_code == 200
    assert (r.json()["standard_price"], r.json()["is_active"]) == ("2.50", False)
    assert api.patch("/api/v1/materials/NOPE", {"name": "x"}).status_code == 404
