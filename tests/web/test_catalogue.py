from pathlib import Path

from django.utils import translation
from django.utils.translation import trans_real

import zhongshu
from tests.support.catalogue import Message, messages, python_messages, template_messages

SRC = Path(zhongshu.__file__).parent


def _catalogue() -> trans_real.DjangoTranslation:
    translation.activate("zh-hans")
    try:
        return trans_real.translation("zh-hans")
    finally:
        translation.deactivate()


def test_every_message_used_in_code_or_templates_has_a_chinese_translation():
    catalogue = _catalogue()._catalog
    found = messages(SRC)

    missing = sorted(
        {f"{m.where}: {m.msgid!r}" for m in found if not catalogue.get(m.key)},
    )

    assert len(found) > 1000
    assert missing == []


def test_the_extractor_reads_every_form_of_the_gettext_family(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from django.utils.translation import gettext as _, pgettext_lazy, ngettext\n"
        "A = _('Plain')\nB = pgettext_lazy('menu', 'Open')\nC = ngettext('%(n)s line', '%(n)s lines', 2)\n"
        "D = _(variable)\n"
    )
    template = tmp_path / "t.html"
    template.write_text(
        '{% load i18n %}{% translate "Save" %}{% translate "Close" context "dialog" %}\n'
        "{% blocktranslate trimmed with n=order.code %}\n  Order {{ n }}\n{% endblocktranslate %}\n"
        "{% blocktranslate count c=n %}{{ c }} item{% plural %}{{ c }} items{% endblocktranslate %}\n"
    )

    from_py = {(m.msgid, m.plural, m.context) for m in python_messages(module, tmp_path)}
    from_html = {(m.msgid, m.plural, m.context) for m in template_messages(template, tmp_path)}

    assert from_py == {
        ("Plain", None, None),
        ("Open", None, "menu"),
        ("%(n)s line", "%(n)s lines", None),
    }
    assert from_html == {
        ("Save", None, None),
        ("Close", None, "dialog"),
        ("Order %(n)s", None, None),
        ("%(c)s item", "%(c)s items", None),
    }


def test_a_message_missing_from_the_catalogue_is_reported():
    catalogue = _catalogue()._catalog
    known = Message("Draft", None, None, "x")
    unknown = Message("A sentence nobody translated 7f3e", None, None, "x")

    assert catalogue.get(known.key) == "草稿"
    assert catalogue.get(unknown.key) is None
