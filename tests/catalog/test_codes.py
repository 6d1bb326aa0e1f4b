"""Codes stay openable: a code with ``/``, a space or only invisible characters is refused where it
is typed (form, API, spreadsheet), and every code that is accepted can be opened by its URL."""

from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_user
from tests.imports.conftest import xlsx
from zhongshu.catalog.models import Material
from zhongshu.core.text import is_valid_code, normalize_code
from zhongshu.customers.models import Customer
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_upload

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
RTL_OVERRIDE = "\u202e"


@pytest.mark.parametrize("code", ["A/B", "A B", "-A", "A\\B", "A?B", "A%2FB"])
def test_a_code_outside_the_character_set_is_refused_by_the_api(api_as, planner, code):
    r = api_as(planner).post("/api/v1/materials", {"code": code, "name": "法兰"})
    assert r.status_code == 422, r.json()
    assert [e["field"] for e in r.json()["details"]["errors"]] == ["code"]
    assert not Material.objects.exists()


def test_invisible_only_codes_and_names_are_empty(api_as, planner):
    r = api_as(planner).post("/api/v1/materials", {"code": ZERO_WIDTH, "name": RTL_OVERRIDE * 3})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {"code", "name"}
    assert not Material.objects.exists()


def test_invisible_characters_inside_a_name_are_dropped(api_as, planner):
    r = api_as(planner).post("/api/v1/materials", {"code": "m\u200b-1", "name": "法\u202e兰"})
    assert r.status_code == 201, r.json()
    assert Material.objects.values_list("code", "name").get() == ("M-1", "法兰")


def test_the_customer_form_says_what_a_code_may_hold_in_chinese(client_as):
    admin = make_user("admin", username="codes_admin")
    r = client_as(admin).post(reverse("customers:customer_create"), {"code": "C/1", "name": "甲"})
    assert r.status_code == 422  # the form again, with the message beside the field
    assert "编码只能包含字母、数字和" in r.content.decode()
    assert not Customer.objects.exists()


def test_a_spreadsheet_row_with_a_slash_in_its_code_is_refused_with_its_column(planner):
    rows = [["物料编码", "物料名称"], ["M/1", "螺栓"], ["M-2", "螺母"]]
    batch = batch_upload(actor=planner, content=xlsx(rows), name="m.xlsx", kind="materials")
    bad = ImportRow.objects.get(batch=batch, status="invalid")
    assert (bad.row_no, [e["column"] for e in bad.errors]) == (2, ["物料编码"])
    assert ImportRow.objects.filter(batch=batch, status="valid").count() == 1
    assert not Material.objects.exists()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_every_accepted_code_opens_its_own_page(raw):
    code = normalize_code(raw)
    if not is_valid_code(code):
        return
    url = reverse("catalog:material_edit", kwargs={"code": code})
    assert resolve(unquote(url)).kwargs == {"code": code}  # the path as the server decodes it
