from pathlib import Path

import polib

import zhongshu
from tests.factories import make_order

PO = Path(zhongshu.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    po = polib.pofile(str(PO))

    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []
    assert len(po.translated_entries()) > 100


def test_compiled_catalogue_matches_the_po_file():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if not e.msgid_plural}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo"))) if not e.msgid_plural}

    assert {k: v for k, v in mo.items() if k} == po


def test_status_labels_are_translated():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO))}

    assert [
        po[s]
        for s in (
            "Draft",
            "Pending review",
            "Confirmed",
            "Scheduling",
            "In production",
            "Awaiting QC",
            "Shipped",
            "Completed",
            "Cancelled",
        )
    ] == ["草稿", "待审核", "已确认", "排产中", "生产中", "待质检", "已发货", "已完成", "已取消"]
    assert [po[p] for p in ("Normal", "Urgent", "Critical")] == ["普通", "加急", "特急"]


def test_chinese_by_default_and_english_on_request(client_as, sales_east, customer_east, shaft):
    make_order(
        actor=sales_east,
        customer=customer_east,
        status="pending_review",
        lines=[{"material": shaft.code, "quantity": "1"}],
    )
    client = client_as(sales_east)

    zh = client.get("/orders/").content.decode()
    assert "待审核" in zh
    assert '<html lang="zh-hans">' in zh

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/orders/"})
    assert response.status_code == 302
    assert response["Location"] == "/orders/"

    en = client.get("/orders/").content.decode()
    assert '<html lang="en">' in en
    assert "Pending review" in en
    assert "待审核" not in en

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/orders/"})
    assert "待审核" in client.get("/orders/").content.decode()


def test_language_switch_is_a_post_form_in_the_layout(client_as, sales_east):
    html = client_as(sales_east).get("/orders/").content.decode()

    assert 'action="/i18n/setlang/" method="post"' in html
    assert 'name="language" value="en"' in html
    assert 'name="language" value="zh-hans"' in html
