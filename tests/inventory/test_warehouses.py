"""Warehouses as master data: exactly one default, never deleted once they held stock, the same
rules on the page and the API."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_user, put_stock
from zhongshu.core.errors import Conflict, ValidationFailed
from zhongshu.inventory import warehouses
from zhongshu.inventory.models import Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper():
    return make_user("warehouse", username="wh_keeper")


def _defaults():
    return list(Warehouse.objects.filter(is_default=True).values_list("code", flat=True))


def test_the_first_warehouse_becomes_the_default_and_one_default_stays(keeper):
    warehouses.warehouse_save(actor=keeper, code="wh1", name="成品仓", creating=True)
    assert _defaults() == ["WH1"]
    warehouses.warehouse_save(actor=keeper, code="WH2", name="原料仓", creating=True)
    assert _defaults() == ["WH1"]
    warehouses.warehouse_save(actor=keeper, code="WH2", name="原料仓", is_default=True)
    assert _defaults() == ["WH2"]
    warehouses.warehouse_set_active(actor=keeper, code="WH2", active=False)
    assert _defaults() == ["WH1"]
    with pytest.raises(Conflict):
        warehouses.warehouse_save(actor=keeper, code="WH2", name="原料仓", is_default=True)


def test_bad_input_is_refused_field_by_field(keeper):
    with pytest.raises(ValidationFailed) as exc:
        warehouses.warehouse_save(actor=keeper, code="", name="x" * 81, creating=True)
    assert {e["field"] for e in exc.value.errors} == {"code", "name"}
    warehouses.warehouse_save(actor=keeper, code="A", name="甲", creating=True)
    with pytest.raises(ValidationFailed):
        warehouses.warehouse_save(actor=keeper, code="a", name="乙", creating=True)
    assert Warehouse.objects.get(code="A").name == "甲"


def test_a_warehouse_with_stock_or_movements_is_only_deactivated(keeper):
    used, _ = warehouses.warehouse_save(actor=keeper, code="USED", name="用过", creating=True)
    warehouses.warehouse_save(actor=keeper, code="EMPTY", name="空", creating=True)
    put_stock(MaterialFactory(code="M-W1"), Decimal(5), warehouse=used)
    with pytest.raises(Conflict):
        warehouses.warehouse_delete(actor=keeper, code="USED")
    warehouses.warehouse_delete(actor=keeper, code="EMPTY")
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["USED"]
    assert (
        warehouses.warehouse_set_active(actor=keeper, code="USED", active=False).is_active is False
    )


def test_pages_create_edit_deactivate_and_refuse_deleting_a_used_one(client_as, keeper):
    client = client_as(keeper)
    response = client.post("/inventory/warehouses/new/", {"code": "wh9", "name": "九号仓"})
    assert response.status_code == 302
    response = client.post("/inventory/warehouses/new/", {"code": "WH9", "name": ""})
    assert response.status_code == 422
    assert "此字段为必填项" in response.content.decode()
    client.post("/inventory/warehouses/WH9/", {"name": "九号成品仓", "is_default": "1"})
    wh = Warehouse.objects.get(code="WH9")
    assert (wh.name, wh.is_default) == ("九号成品仓", True)
    put_stock(MaterialFactory(code="M-W9"), Decimal(1), warehouse=wh)
    response = client.post("/inventory/warehouses/WH9/delete/")
    assert response.status_code == 409
    assert Warehouse.objects.filter(code="WH9").exists()
    listing = client.get("/inventory/warehouses/").content.decode()
    assert "九号成品仓" in listing
    assert client.get("/inventory/warehouses/export.xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_api_crud(api_as, keeper):
    api = api_as(keeper)
    assert api.post("/api/v1/warehouses", {"code": "a1", "name": "一号"}).status_code == 201
    assert api.post("/api/v1/warehouses", {"code": "A1", "name": "重"}).status_code == 422
    assert api.post("/api/v1/warehouses", {"code": "B", "name": "b", "x": 1}).status_code == 422
    assert api.post("/api/v1/warehouses", {"code": "B1", "name": "二号"}).status_code == 201
    body = api.patch("/api/v1/warehouses/B1", {"is_default": True}).json()
    assert (body["code"], body["is_default"]) == ("B1", True)
    assert [w["code"] for w in api.get("/api/v1/warehouses").json()] == ["A1", "B1"]
    assert api.patch("/api/v1/warehouses/B1", {"active": False}).json()["is_active"] is False
    assert _defaults() == ["A1"]
    assert api.delete("/api/v1/warehouses/B1").status_code == 204
    assert api.get("/api/v1/warehouses/B1").status_code == 404
