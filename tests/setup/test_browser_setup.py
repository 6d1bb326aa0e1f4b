"""In headless Chromium, from an empty install: the administrator lands on the go-live checklist,
creates the first warehouse on its page, imports the regions from a workbook, and sees both steps
turn done."""

import io

import pytest
import xlsxwriter
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Zs-first-week-2026!"


def _regions_book() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([["区域", "省份"], ["华东", "浙江省"], ["华南", "广东"]]):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def test_the_admin_sets_up_warehouses_and_regions_from_the_checklist(
    live_server, browser, transactional_db, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("adduser", "boss", "--role", "admin", "--password", PASSWORD)
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/")
    assert page.get_attribute("tr[data-step=warehouses]", "class") == "todo"

    page.click("tr[data-step=warehouses] a")
    page.wait_for_url(f"{base}/inventory/warehouses/")
    page.click("a[href='/inventory/warehouses/new/']")
    page.fill("input[name=code]", "fg")
    page.fill("input[name=name]", "成品仓")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/inventory/warehouses/")
    assert "仓库已保存" in page.inner_text(".messages")
    assert "FG" in page.inner_text("table")

    page.goto(f"{base}/imports/")
    page.select_option("select[name=kind]", "regions")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "regions.xlsx", "mimeType": "application/octet-stream",
                "buffer": _regions_book()}],
    )  # fmt: skip
    page.click("form.import-upload button.primary")
    page.wait_for_selector("button[name=mode][value=valid_only]")
    page.click("button[name=mode][value=valid_only]")
    page.wait_for_load_state()

    page.goto(f"{base}/setup/")
    for key in ("warehouses", "regions"):
        assert page.get_attribute(f"tr[data-step={key}]", "class") == "done", key
    assert page.inner_text("tr[data-step=regions] td.num") == "2"
    context.close()
