"""Agents' order sheets."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_decimal
from zhongshu.orders import hooks

from ..models import (
    ChannelAccount,
)
from ._common import normalize_agent, read_sheet
from .ingest import Ingest


def agent_upload(*, account: ChannelAccount, filename: str, content: bytes) -> dict:
    """An agent's order sheet (xlsx or csv; one row per line; columns 外部单号, 商品编码, 商品名称,
    数量, 单价, 买家, 电话). Rows with the same 外部单号 form one order; an order already received is
    not created again. Every bad row is listed (422) and nothing is stored."""
    rows = read_sheet(filename, content)
    errors = Errors()
    grouped: dict[str, dict] = {}
    now = timezone.now()
    for i, row in enumerate(rows, start=2):
        ext_no = normalize_text(row.get("external_no"))
        if not ext_no:
            errors.add(f"row {i}: external_no", _("This field is required."))
            continue
        if not row.get("sku"):
            errors.add(f"row {i}: sku", _("This field is required."))
        qty = clean_decimal(
            errors, f"row {i}: quantity", row.get("quantity"), places=3, strictly_positive=True
        ) or Decimal(0)
        price = clean_decimal(
            errors, f"row {i}: unit_price", row.get("unit_price") or "0", places=4,
            min_value=Decimal(0),
        ) or Decimal(0)  # fmt: skip
        order = grouped.setdefault(ext_no[:64], {
            "external_no": ext_no[:64], "modified": now.isoformat(),
            "buyer": normalize_text(row.get("buyer")) or account.name,
            "buyer_key": f"{account.pk}:{normalize_text(row.get('buyer')) or account.name}",
            "phone": normalize_text(row.get("phone")), "lines": []})  # fmt: skip
        order["lines"].append({"sku": normalize_text(row.get("sku")), "title": row.get("title", ""),
                               "quantity": str(qty), "unit_price": str(price)})  # fmt: skip
    if not rows:
        errors.add("file", _("The sheet has no rows."))
    errors.raise_if_any()
    with hooks.batch(), transaction.atomic():
        ingest = Ingest(account, source="upload")
        for raw in grouped.values():
            ext = normalize_agent(raw)
            if ext is None:  # its "modified" is the time of the upload, always readable
                raise ValueError(f"unreadable order {raw['external_no']}")
            ingest.apply(ext)
    return ingest.counts
