"""The company API: the same details and rules as the company page, only the fields sent change,
unknown fields refused, every change in the company's history."""

import base64

import pytest

from tests.factories import make_user
from zhongshu.documents.models import CompanyProfile

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_admin_reads_and_patches_the_company(api_as, settings):
    settings.COMPANY_NAME = "环境设置公司"
    admin = make_user("admin", username="company_api_admin")
    api = api_as(admin)
    # before anything is saved the setting is what prints
    assert api.get("/api/v1/company").json()["name"] == "环境设置公司"

    r = api.patch("/api/v1/company", {"name": "中枢机械有限公司", "tax_id": "91330100MA2"})
    assert r.status_code == 200, r.content
    assert (r.json()["name"], r.json()["tax_id"], r.json()["logo"]) == (
        "中枢机械有限公司", "91330100MA2", "",
    )  # fmt: skip
    # only the fields sent change; a logo comes base64 encoded and is checked by content
    logo = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = api.patch("/api/v1/company", {"address": "杭州市余杭区", "logo_base64": logo})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["name"], body["address"]) == ("中枢机械有限公司", "杭州市余杭区")
    assert body["logo"].startswith("data:image/png;base64,")
    row = CompanyProfile.objects.get()
    assert bytes(row.logo) == PNG
    # each change is in the company's history, naming who made it
    assert [h.history_user for h in row.history.all()] == [admin, admin]

    r = api.patch("/api/v1/company", {"remove_logo": True})
    assert r.json()["logo"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "website": "a.cn"}, "website"),
        ({"name": ""}, "name"),
        ({"logo_base64": base64.b64encode(b"GIF89a....").decode()}, "logo"),
        ({"logo_base64": "不是base64"}, "logo_base64"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(api_as, body, field):
    admin = make_user("admin", username="company_api_admin2")
    api = api_as(admin)
    api.patch("/api/v1/company", {"name": "原名", "tax_id": "1"})
    before = list(CompanyProfile.objects.values_list("name", "tax_id", "logo"))
    r = api.patch("/api/v1/company", body)
    assert r.status_code == 422
    assert field in r.content.decode()
    assert list(CompanyProfile.objects.values_list("name", "tax_id", "logo")) == before
