"""Text of a PDF, for comparing what a document prints: pypdf's extraction of CJK text puts
spaces between glyphs, so all whitespace is dropped before comparing. NFKC folds the Kangxi
radicals (⼯, ⽇) that a PDF's ToUnicode map may name for glyphs the font shares with the
ideographs (工, 日) back into the ideographs."""

import io
import re
import unicodedata
from decimal import Decimal as D

from pypdf import PdfReader

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from zhongshu.inventory.services import shipment_create


def pdf_pages(body: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(body))
    # (and the NULs pypdf leaves between the two-byte glyph codes of an embedded CID font)
    return [
        unicodedata.normalize("NFKC", re.sub(r"[\s\x00]+", "", page.extract_text() or ""))
        for page in reader.pages
    ]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def make_deliveries(db_marker=None):
    admin = make_user("admin")
    make_warehouse()
    bracket = MaterialFactory(code="BRK-1", name="不锈钢支架", fulfilment="stock")
    put_stock(bracket, D(100))
    customer = CustomerFactory(code="C-SZ", name="苏州精工机械", contact="李工",
                               region=RegionFactory(name="华东"),
                               address="苏州市吴中区东吴北路88号")  # fmt: skip
    order = make_order(actor=admin, customer=customer, status="confirmed",
                       lines=[{"material": "BRK-1", "quantity": "30", "unit_price": "12"}])  # fmt: skip
    first = shipment_create(actor=admin, order_id=order.pk, lines=[{"line_no": 1, "quantity": "12"}],
                            carrier="顺丰速运", tracking_no="SF1234567890")  # fmt: skip
    second = shipment_create(actor=admin, order_id=order.pk, lines=[{"line_no": 1, "quantity": "18"}],
                             carrier="德邦物流", tracking_no="DB987654")  # fmt: skip
    return order, [first, second]
