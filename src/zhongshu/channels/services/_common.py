"""What every channel use case shares: the system actor, the sheet reader, normalizing stored
payloads, and the text of a refusal.

(pull, push, agent sheets) and their conversion into internal orders, and logistics reports.

The system actor is the user ``channel-bot``: active (so the permission module grants it its roles)
but with an unusable password, so nobody can log in as it. It holds the sales role (create, submit,
create customers) and the planner role (every region's customers). Channel orders, customers and
cancellations it makes are audited under its name."""

import datetime as dt
import logging
import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhongshu.core import sheets
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.text import normalize_text

from .. import platforms as p
from ..models import (
    ChannelKind,
    ChannelOrder,
)

log = logging.getLogger(__name__)
BOT_USERNAME = "channel-bot"
BOT_ROLES = ("sales", "planner")
CUSTOMER_PREFIX = {"taobao": "TB", "douyin": "DY", "agent": "AG"}
State = ChannelOrder.State

# --- the system actor -------------------------------------------------------------------------------


def channel_bot():
    User = get_user_model()
    bot = User.objects.filter(username=BOT_USERNAME).first()
    if bot is None:
        from zhongshu.accounts.services import user_create

        try:
            with transaction.atomic():
                bot = user_create(
                    actor=None,
                    username=BOT_USERNAME,
                    password=secrets.token_urlsafe(32),
                    roles=list(BOT_ROLES),
                    regions=[],
                    check_password_strength=False,
                )
                bot.set_unusable_password()
                bot.save(update_fields=["password"])
        except IntegrityError:
            bot = User.objects.get(username=BOT_USERNAME)
    return bot


MAPPING_HEADERS = {
    "channel": ("channel", "渠道"),
    "channel_sku": ("channel_sku", "渠道sku", "sku", "渠道SKU"),
    "material": ("material", "物料编码"),
    "multiplier": ("multiplier", "数量倍数", "倍数"),
}


AGENT_HEADERS = {
    "external_no": ("external_no", "外部单号", "订单号"),
    "sku": ("sku", "渠道sku", "商品编码", "渠道SKU"),
    "title": ("title", "商品名称"),
    "quantity": ("quantity", "数量"),
    "unit_price": ("unit_price", "单价"),
    "buyer": ("buyer", "买家", "客户"),
    "phone": ("phone", "电话"),
}


def read_sheet(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of the first sheet as dicts keyed by canonical header (see ``MAPPING_HEADERS`` and
    ``AGENT_HEADERS``); blank rows skipped. Unreadable files are a 422, never a 500."""
    import csv
    import io

    name = (filename or "").lower()
    try:
        if name.endswith(".csv"):
            text = content.decode("utf-8-sig")
            table = [r for r in csv.reader(io.StringIO(text))]
        else:
            table = sheets.read_grid(content, name, keep_empty_area=False).rows
    except sheets.SheetRefused as exc:
        raise ValidationFailed({"file": exc.message}) from None
    except Exception as exc:  # calamine raises its own types for every kind of bad file
        raise ValidationFailed({"file": _("The file could not be read as xlsx or csv.")}) from exc
    if not table:
        return []
    aliases = {a.lower(): k for k, names in (MAPPING_HEADERS | AGENT_HEADERS).items()
               for a in names}  # fmt: skip
    header = [aliases.get(normalize_text(str(h)).lower(), "") for h in table[0]]
    rows = []
    for raw in table[1 : 1 + 5000]:
        row = {header[i]: v for i, v in enumerate(raw) if i < len(header) and header[i]}
        if any(str(v).strip() for v in row.values()):
            rows.append({k: (str(v).strip() if not isinstance(v, float) else
                             (str(int(v)) if v == int(v) else str(v))) for k, v in row.items()})  # fmt: skip
    return rows


def _error_text(exc: DomainError) -> str:
    errs = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if errs:
        return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errs)[:500]
    return str(exc.message)[:500]


def normalize(kind: str, raw: dict) -> p.ExternalOrder | None:
    if kind == ChannelKind.TAOBAO:
        return p.normalize_taobao(raw)
    if kind == ChannelKind.DOUYIN:
        return p.normalize_douyin(raw)
    return normalize_agent(raw)


def normalize_agent(raw: dict) -> p.ExternalOrder | None:
    try:
        modified = dt.datetime.fromisoformat(raw["modified"])
    except (KeyError, TypeError, ValueError):
        return None
    lines = [p.Line(sku_id=str(ln.get("sku") or ""), outer_sku=str(ln.get("sku") or ""),
                    title=str(ln.get("title") or "")[:200], quantity=p._dec(ln.get("quantity")),
                    unit_price=p._dec(ln.get("unit_price")))
             for ln in raw.get("lines") or []]  # fmt: skip
    return p.ExternalOrder(
        external_id=str(raw.get("external_no") or ""),
        status="paid",
        phase=p.PAID,
        modified_at=modified,
        buyer_key=str(raw.get("buyer_key") or ""),
        buyer_name=str(raw.get("buyer") or ""),
        phone=str(raw.get("phone") or ""),
        amount=sum((ln.quantity * ln.unit_price for ln in lines), Decimal(0)),
        lines=lines,
        raw=raw,
    )
