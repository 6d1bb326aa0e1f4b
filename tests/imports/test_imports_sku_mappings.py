"""Channel SKU mappings imported from Excel: staged, every row checked, previewed, committed
through the channel service under the permission that edits mappings."""

import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from tests.factories import make_user
from tests.imports.conftest import xlsx
from tests.support.matrix import ROLES
from zhongshu.channels.models import SkuMapping
from zhongshu.core.errors import PermissionDenied
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload

pytestmark = pytest.mark.django_db

MAPPERS = {"admin", "sales", "planner"}  # channels.map_sku


@pytest.fixture
def stored(world):
    planner = make_user("planner", username="map_planner")
    SkuMapping.objects.create(channel="douyin", channel_sku="DY-1", material=world.m2)
    SkuMapping.objects.create(channel="taobao", channel_sku="501", material=world.m1, multiplier=2)
    return planner


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_every_row_is_checked_and_the_valid_ones_are_saved(world, stored, english):
    planner = stored
    # given a sheet with header variants: new rows, a repeat of what is stored, a change, and
    # five kinds of mistakes
    rows = [["平台", "商家编码", "料号", "倍数"],
            ["淘宝", "500", "m-001", 2],           # new (Chinese label, lower-case code)
            ["douyin", "DY-1", "M-002", ""],       # exactly what is stored
            ["taobao", "501", "M-002", "1"],       # replaces 501 → M-001 × 2
            ["京东", "X-1", "M-001", 1],            # unknown channel
            ["抖音", "DY-2", "M-404", 1],           # unknown material
            ["淘宝", "500", "M-002", 1],            # repeats row 2
            ["代理商", "AG-1", "M-001", 0],         # multiplier not positive
            ["taobao", "", "M-001", 1]]  # no SKU  # fmt: skip
    batch = batch_upload(actor=planner, content=xlsx(rows), name="map.xlsx", kind="sku_mappings")
    # then the preview lists every problem of every row, in the user's language
    assert batch.status == "validated"
    assert (batch.valid, batch.invalid, batch.duplicate) == (2, 5, 1)
    errors = _errors(batch)
    assert (5, "平台", "Choose one of: Taobao, Douyin shop, Agent.") in errors
    assert (6, "料号", "Unknown material: M-404") in errors
    assert (7, "商家编码", "Duplicate of row 2.") in errors
    assert {row for row, _c, _m in errors} == {5, 6, 7, 8, 9}
    change = ImportRow.objects.get(batch=batch, row_no=4)
    assert change.warnings == [{"column": "料号", "message": "Replaces the mapping to M-001 × 2."}]
    # when the valid rows are committed
    batch_commit(actor=planner, batch_id=batch.pk, mode="valid_only")
    # then the new mapping exists, the changed one is replaced, nothing else was written
    got = {(m.channel, m.channel_sku): (m.material.code, m.multiplier, m.updated_by_id)
           for m in SkuMapping.objects.select_related("material")}  # fmt: skip
    assert got[("taobao", "500")] == ("M-001", 2, planner.pk)
    assert got[("taobao", "501")] == ("M-002", 1, planner.pk)
    assert got[("douyin", "DY-1")][:2] == ("M-002", 1)
    assert len(got) == 3
    # and the same file again changes nothing
    again = batch_upload(actor=planner, content=xlsx(rows), name="map2.xlsx", kind="sku_mappings")
    assert (again.valid, again.duplicate) == (0, 3)


def test_all_or_nothing_saves_nothing_when_a_row_is_bad(world, stored):
    rows = [["渠道", "渠道SKU", "物料编码", "数量倍数"], ["淘宝", "600", "M-001", 1],
            ["淘宝", "601", "M-404", 1]]  # fmt: skip
    batch = batch_upload(actor=stored, content=xlsx(rows), name="m.xlsx", kind="sku_mappings")
    from zhongshu.core.errors import DomainError

    with pytest.raises(DomainError):
        batch_commit(actor=stored, batch_id=batch.pk, mode="all_or_nothing")
    assert not SkuMapping.objects.filter(channel_sku__in=["600", "601"]).exists()


def test_template_and_error_workbook(world, stored, api_as):
    api = api_as(stored)
    web = Client()
    web.force_login(stored)
    # the template has the four headers and an example row
    r = web.get("/imports/templates/sku_mappings.xlsx")
    assert r.status_code == 200
    grid = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert grid[0] == ["渠道", "渠道SKU", "物料编码", "数量倍数"]
    # a file with a bad row gives an error workbook with that row and its message
    rows = [grid[0], ["淘宝", "700", "M-001", 1], ["淘宝", "701", "M-404", 1]]
    upload = io.BytesIO(xlsx(rows))
    upload.name = "m.xlsx"
    r = api.client.post("/api/v1/imports", {"kind": "sku_mappings", "file": upload},
                        headers=api.headers)  # fmt: skip
    assert r.status_code == 201, r.content
    r = api.get(f"/api/v1/imports/{r.json()['id']}/errors.xlsx")
    bad = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert bad[1][:2] == ["淘宝", "701"] and "M-404" in bad[1][4]


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_edit_mappings_import_them(role, world):
    user = make_user(role, regions=("华东",) if role == "sales" else (), username=f"mi_{role}")
    rows = [["渠道", "渠道SKU", "物料编码"], ["淘宝", "800", "M-001"]]
    web = Client()
    web.force_login(user)
    template = web.get("/imports/templates/sku_mappings.xlsx").status_code
    if role in MAPPERS:
        batch = batch_upload(actor=user, content=xlsx(rows), name="m.xlsx", kind="sku_mappings")
        batch_commit(actor=user, batch_id=batch.pk, mode="valid_only")
        assert template == 200
        assert SkuMapping.objects.filter(channel_sku="800").count() == 1
    else:
        with pytest.raises(PermissionDenied):
            batch_upload(actor=user, content=xlsx(rows), name="m.xlsx", kind="sku_mappings")
        assert template == 403
        assert not SkuMapping.objects.exists()
