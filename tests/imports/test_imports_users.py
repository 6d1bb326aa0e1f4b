"""Users from a messy workbook, through accounts' own rules: initial passwords generated and
shown once to whoever imported them; a second import creates nobody."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.factories import RegionFactory, make_user
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.imports.kinds.users import passwords_take
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADERS = ["用户名", "姓名", "角色", "区域", "手机", "企业微信ID"]
ROWS = [
    ["zhang.wei", "张伟", "销售、planner", "华东", full_width(13800000000), "zhangwei"],
    ["li.na", "李娜", "qc"],
    [],
    ["wang", "王", "厨师"],
    ["zhao", "赵", "销售", "西北"],
    ["zhang.wei", "张伟", "销售"],
    ["sun", "孙", "销售", None, "12345"],
    ["imp_admin_u", "管理员", "admin"],
    [None, "无名", "销售"],
]


@pytest.fixture
def admin():
    RegionFactory(name="华东")
    return make_user("admin", username="imp_admin_u")


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_messy_users_validate_commit_show_passwords_once_and_reimport(admin, client_as):
    content = messy_xlsx("员工名单 2026年3月5日", HEADERS, ROWS)
    batch = batch_upload(actor=admin, content=content, name="users.xlsx", kind="users")
    assert (batch.total, batch.valid, batch.invalid, batch.duplicate, batch.skipped) == (
        8, 2, 5, 1, 3,
    )  # fmt: skip
    errors = _errors(batch)
    assert {(row, col) for row, col, _m in errors} == {
        (7, "角色"), (8, "区域"), (9, "用户名"), (10, "手机"), (12, "用户名"),
    }  # fmt: skip
    assert (8, "区域", "未知区域：西北") in errors
    assert (9, "用户名", "与第 4 行重复。") in errors
    assert not User.objects.filter(username__in=["zhang.wei", "li.na"]).exists()

    batch_commit(actor=admin, batch_id=batch.pk, mode="valid_only")
    zhang = User.objects.get(username="zhang.wei")
    assert (zhang.profile.display_name, zhang.profile.mobile, zhang.profile.wecom_userid) == (
        "张伟", "13800000000", "zhangwei",
    )  # fmt: skip
    assert sorted(zhang.groups.values_list("name", flat=True)) == ["planner", "sales"]
    assert list(zhang.profile.regions.values_list("name", flat=True)) == ["华东"]

    # until shown, the row holds the password sealed, never readable in the database
    stored = ImportRow.objects.get(batch=batch, row_no=4).data["password"]
    assert stored.startswith("v1:") and not User.objects.get(username="zhang.wei").check_password(
        stored
    )
    page = client_as(admin).get(f"/imports/{batch.pk}/").content.decode()
    shown = passwords_take(actor=admin, batch_id=batch.pk)
    assert shown == []  # the page showed them; they are gone
    row = ImportRow.objects.get(batch=batch, row_no=4)
    assert "password" not in row.data
    passwords = dict(re.findall(r"<td>([\w.]+)</td><td><code>([^<]+)</code>", page))
    assert set(passwords) == {"zhang.wei", "li.na"}
    assert User.objects.get(username="li.na").check_password(passwords["li.na"])
    assert stored not in page
    # a second look at the page shows no password any more
    assert "<code>" not in client_as(admin).get(f"/imports/{batch.pk}/").content.decode()

    again = batch_upload(actor=admin, content=content, name="users.xlsx", kind="users")
    assert (again.valid, again.duplicate) == (0, 3)
    before = User.objects.count()
    batch_commit(actor=admin, batch_id=again.pk, mode="valid_only")
    assert User.objects.count() == before


def test_passwords_come_once_through_the_api(admin, api_as):
    content = messy_xlsx("员工", HEADERS, [["chen", "陈", "仓库"]])
    batch = batch_upload(actor=admin, content=content, name="u.xlsx", kind="users")
    batch_commit(actor=admin, batch_id=batch.pk, mode="all_or_nothing")
    api = api_as(admin)
    first = api.get(f"/api/v1/imports/{batch.pk}/passwords")
    assert first.status_code == 200
    (item,) = first.json()
    assert (item["row"], item["username"]) == (4, "chen")
    assert User.objects.get(username="chen").check_password(item["password"])
    assert api.get(f"/api/v1/imports/{batch.pk}/passwords").json() == []
