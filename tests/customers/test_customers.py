import pytest

from tests.factories import CustomerFactory, make_user
from zhongshu.core.errors import DomainError
from zhongshu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_sales_create_customers_in_their_region_only(api_as, sales_east, north):
    api = api_as(sales_east)
    r = api.post("/api/v1/customers", {"code": " ｃ－１ ", "name": "无锡机床", "region": "华东"})
    assert r.status_code == 201, r.json()
    assert (r.json()["code"], r.json()["region"]) == ("C-1", "华东")
    r = api.post("/api/v1/customers", {"code": "C-2", "name": "北京", "region": "华北"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == ["region"]
    assert not Customer.objects.filter(code="C-2").exists()


def test_create_reports_every_bad_field(api_as, admin_user, customer_east):
    r = api_as(admin_user).post(
        "/api/v1/customers", {"code": "c-east", "name": "  ", "region": "火星"}
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == ["code", "name", "region"]


def test_update_changes_only_what_is_sent(api_as, sales_east, customer_east):
    r = api_as(sales_east).patch("/api/v1/customers/c-east", {"phone": "021-5555"})
    assert r.status_code == 200, r.json()
    saved = Customer.objects.get(code="C-EAST")
    assert (saved.phone, saved.tier, saved.name, saved.region.name) == (
        "021-5555",
        "regular",
        "苏州精工机械",
        "华东",
    )


def test_a_hand_typed_tier_is_refused_everywhere(api_as, client_as, sales_east, customer_east):
    # the tier is computed by the segmentation: the API refuses it and changes nothing
    r = api_as(sales_east).patch("/api/v1/customers/c-east", {"phone": "021-5555", "tier": "key"})
    assert r.status_code == 422
    assert r.json()["details"]["errors"] == [
        {"field": "tier", "message": "客户等级由客户分层按订单历史计算，不能手工填写。"}
    ]
    assert Customer.objects.get(code="C-EAST").phone != "021-5555"
    # the form shows it, explains it, and ignores a posted value
    html = client_as(sales_east).get(f"/customers/{customer_east.code}/edit/").content.decode()
    assert "由客户分层按订单历史自动计算" in html and 'name="tier"' in html and "disabled" in html


def test_sales_cannot_move_a_customer_to_another_region(api_as, sales_east, customer_east, north):
    r = api_as(sales_east).patch("/api/v1/customers/C-EAST", {"region": "华北"})
    assert r.status_code == 422
    assert Customer.objects.get(code="C-EAST").region.name == "华东"


@pytest.mark.parametrize("role", ["planner", "warehouse", "finance", "qc"])
def test_only_sales_and_admin_manage_customers(api_as, role, east):
    r = api_as(make_user(role)).post(
        "/api/v1/customers", {"code": "X", "name": "X", "region": "华东"}
    )
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")


def test_operators_do_not_see_customers(api_as, customer_east):
    r = api_as(make_user("operator")).get("/api/v1/customers")
    assert r.status_code == 403


def test_paging_is_bounded(api_as, admin_user, east):
    for _ in range(3):
        CustomerFactory(region=east)
    api = api_as(admin_user)
    r = api.get("/api/v1/customers", {"limit": 2, "offset": 1})
    assert (r.json()["count"], len(r.json()["items"])) == (3, 2)
    for params in ({"limit": 201}, {"limit": 0}, {"offset": -1}, {"offset": 2**63}):
        r = api.get("/api/v1/customers", params)
        assert (r.status_code, r.json()["code"]) == (422, "validation_error"), params


def test_customer_update_service_refuses_out_of_scope(sales_north, customer_east):
    from zhongshu.customers.services import customer_update

    with pytest.raises(DomainError) as exc:
        customer_update(actor=sales_north, customer=customer_east, data={"name": "x"})
    assert exc.value.http_status == 404
