from pathlib import Path

import polib
import pytest

import zhongshu
from tests.factories import make_order

SRC = Path(zhongshu.__file__).parent
PO = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# the project catalogue plus one per app that ships its own (zhongshu/<app>/locale/…)
CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_message_is_translated():
    po = polib.pofile(str(PO))

    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []
    assert len(po.translated_entries()) > 100


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_catalogue_is_complete_and_compiled(path):
    po = polib.pofile(str(path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []

    entries = {e.msgid: e.msgstr for e in po if not e.msgid_plural and not e.obsolete}
    mo = {
        e.msgid: e.msgstr for e in polib.mofile(str(path.with_suffix(".mo"))) if not e.msgid_plural
    }
    assert {k: v for k, v in mo.items() if k} == entries


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
