"""The go-live kinds together: who may use each (a hand-written matrix), templates whose example
row is a real row that imports as it stands, and bad files refused with a message, never a 500."""

import pytest
from django.test import Client

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_user,
    make_warehouse,
)
from tests.support.matrix import ROLES
from zhongshu.imports.kinds import KINDS
from zhongshu.imports.parsing import read_sheet
from zhongshu.imports.services import batch_upload
from zhongshu.imports.workbooks import template_workbook
from zhongshu.production.models import WorkCenter

pytestmark = pytest.mark.django_db

#             admin manager sales planner supervisor operator qc warehouse purchasing finance
TEMPLATES = {
    "users":      "200 403 403 403 403 403 403 403 403 403",
    "routings":   "200 403 403 200 403 403 403 403 403 403",
    "boms":       "200 403 403 200 403 403 403 403 403 403",
    "qc_plans":   "200 403 403 403 403 403 200 403 403 403",
    "open_stock": "200 403 403 403 403 403 403 200 403 403",
    "receivables": "200 403 403 403 403 403 403 403 403 200",
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_may_download_each_template(role):
    client = Client()
    client.force_login(make_user(role, username=f"tpl_{role}"))
    got = {kind: client.get(f"/imports/templates/{kind}.xlsx").status_code for kind in TEMPLATES}
    assert got == {kind: int(row.split()[ROLES.index(role)]) for kind, row in TEMPLATES.items()}


@pytest.fixture
def factory_data():
    """What the templates' example rows name: a make-to-order product P-1001 made on line L1
    from raw material R-2001, warehouse 01, region 华东, customer C-0001."""
    RegionFactory(name="华东")
    make_warehouse()
    WorkCenter.objects.create(code="L1", name="一号线", hours_per_shift=8)
    MaterialFactory(code="P-1001", fulfilment="make", routing=False)
    MaterialFactory(code="R-2001")
    CustomerFactory(code="C-0001", region=RegionFactory(name="华北"))
    return make_user("admin", username="tpl_admin")


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_each_template_example_row_imports_as_it_stands(kind, factory_data):
    content = template_workbook(kind)
    sheet = read_sheet(content, "t.xlsx", KINDS[kind].match_header, max_rows=10)
    assert sheet.headers == [str(c.label) for c in KINDS[kind].columns]
    assert len(sheet.rows) == 1  # one example row, every required cell filled
    batch = batch_upload(actor=factory_data, content=content, name="t.xlsx", kind=kind)
    assert (batch.status, batch.total, batch.valid, batch.invalid) == ("validated", 1, 1, 0)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_bad_files_are_refused_in_chinese_never_a_500(kind, factory_data, api_as):
    api = api_as(factory_data)
    for name, content in (
        ("a.xlsx", b"PK\x03\x04 not really a workbook"),
        ("b.csv", "标题\n无关,列\n1,2\n".encode()),
    ):
        r = api.client.post(
            "/api/v1/imports", {"kind": kind, "file": _upload(name, content)}, headers=api.headers
        )
        assert r.status_code == 422, (name, r.status_code)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
