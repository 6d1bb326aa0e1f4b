"""The go-live checklist: each step done or not with its count, the same on the page and the API;
the administrator's home page until every step is done; the company printed on documents."""

import pytest

from tests.factories import MaterialFactory, make_user
from zhongshu.core.setup_steps import steps

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
    b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXPECTED_STEPS = [
    "company", "regions", "warehouses", "lines", "calendar", "users", "customers", "materials",
    "suppliers", "routings", "boms", "qc_plans", "opening_stock", "opening_receivables",
    "order_history", "robots", "channel_shops", "approval_flows", "rules",
]  # fmt: skip


@pytest.fixture
def admin():
    return make_user("admin", username="golive_admin")


def _by_key(api):
    body = api.get("/api/v1/setup").json()
    return body, {s["key"]: s for s in body["steps"]}


def test_every_step_is_listed_in_order_with_a_link(api_as, admin):
    assert [s.key for s in steps()] == EXPECTED_STEPS
    body, by_key = _by_key(api_as(admin))
    assert [s["key"] for s in body["steps"]] == EXPECTED_STEPS
    assert all(s["url"].startswith("/") for s in body["steps"])
    assert by_key["warehouses"]["url"] == "/inventory/warehouses/"
    assert body["complete"] is False


def test_steps_turn_done_as_the_factory_fills_them_in(api_as, client_as, admin):
    api = api_as(admin)
    _body, before = _by_key(api)
    assert (before["warehouses"]["done"], before["warehouses"]["count"]) == (False, 0)
    assert (before["materials"]["done"], before["regions"]["done"]) == (False, False)
    assert before["users"]["done"] is False  # the administrator alone
    assert before["users"]["detail"] == ""  # no chat app yet: nobody to reach through one
    api.post("/api/v1/warehouses", {"code": "WH1", "name": "成品仓"})
    api.post("/api/v1/regions", {"name": "华东"})
    MaterialFactory(code="M-GL1")
    make_user("sales", regions=("华东",), username="golive_sales")
    client_as(admin).post("/documents/company/", {"name": "中枢机械", "tax_id": "91330000X"})
    _body, after = _by_key(api)
    for key in ("warehouses", "regions", "materials", "users", "company"):
        assert after[key]["done"] is True, key
    assert (after["warehouses"]["count"], after["users"]["count"]) == (1, 2)


def test_the_admin_lands_on_the_checklist_while_it_is_incomplete(client_as, admin):
    client = client_as(admin)
    assert client.get("/")["Location"] == "/setup/"
    page = client.get("/setup/").content.decode()
    assert "上线清单" in page and 'data-step="warehouses"' in page
    assert 'data-step="warehouses" class="todo"' in page


@pytest.mark.parametrize("role", ["manager", "sales", "warehouse", "finance"])
def test_only_the_admin_sees_the_checklist(api_as, client_as, role):
    user = make_user(role, regions=("华东",) if role == "sales" else (), username=f"gl_{role}")
    assert api_as(user).get("/api/v1/setup").status_code == 403
    assert client_as(user).get("/setup/").status_code == 403
    assert client_as(user).get("/documents/company/").status_code == 403


def test_company_details_and_logo_are_printed_and_bad_logos_refused(client_as, admin):
    from zhongshu.documents.company import company

    client = client_as(admin)
    response = client.post("/documents/company/", {"name": "", "tax_id": "1"})
    assert response.status_code == 422
    assert company()["name"] == ""
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("logo.png", b"GIF89a not a png", content_type="image/png")
    response = client.post("/documents/company/", {"name": "中枢机械", "logo": bad})
    assert response.status_code == 422
    assert "PNG 或 JPEG" in response.content.decode()
    good = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = client.post(
        "/documents/company/",
        {"name": "中枢机械", "address": "宁波市北仑区", "tax_id": "91330206MA2", "logo": good},
    )
    assert response.status_code == 302
    info = company()
    assert (info["name"], info["tax_id"]) == ("中枢机械", "91330206MA2")
    assert info["logo"].startswith("data:image/png;base64,")
