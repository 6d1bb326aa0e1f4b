"""Taobao TOP and Douyin shop: signing, the HTTP calls, and the translation of their order shapes
into one normalised form (docs/integrations.md has the protocol facts)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from zhongshu.core.validation import parse_decimal

from .exceptions import ChannelError, Throttled
from .signing import douyin_event_sign as douyin_event_sign  # signing lives in .signing
from .signing import douyin_param_json as douyin_param_json
from .signing import douyin_sign as douyin_sign
from .signing import parse_top_time as parse_top_time
from .signing import top_sign as top_sign
from .signing import top_time as top_time

CN = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 100
TAOBAO_THROTTLE_CODES = {7}  # "App Call Limited"
DOUYIN_OK = 10000
DOUYIN_THROTTLE_CODES = {50002}  # the simulator's (and our reading of the platform's) rate limit

# --- the normalised order -------------------------------------------------------------------------

PAID, UNPAID, CLOSED, SHIPPED, DONE = "paid", "unpaid", "closed", "shipped", "done"
PENDING, REFUNDED = "pending", "refunded"  # a line's refund
# Taobao sub-order refund_status: a request not decided yet holds the line; SUCCESS refunded it;
# NO_REFUND and CLOSED (the request was withdrawn or refused) leave it to be shipped
TAOBAO_REFUNDS = {
    "WAIT_SELLER_AGREE": PENDING,
    "WAIT_BUYER_RETURN_GOODS": PENDING,
    "WAIT_SELLER_CONFIRM_GOODS": PENDING,
    "SELLER_REFUSE_BUYER": PENDING,
    "SUCCESS": REFUNDED,
}
# Douyin sku_order_list[].after_sale_info.refund_status: 1 refund requested, 2 refunding,
# 3 refunded; 0 none and 4 refused/closed leave the line
DOUYIN_REFUNDS = {1: PENDING, 2: PENDING, 3: REFUNDED}

TAOBAO_STATES = {
    "WAIT_BUYER_PAY": UNPAID,
    "TRADE_NO_CREATE_PAY": UNPAID,
    "WAIT_SELLER_SEND_GOODS": PAID,
    "SELLER_CONSIGNED_PART": SHIPPED,
    "WAIT_BUYER_CONFIRM_GOODS": SHIPPED,
    "TRADE_BUYER_SIGNED": DONE,
    "TRADE_FINISHED": DONE,
    "TRADE_CLOSED": CLOSED,
    "TRADE_CLOSED_BY_TAOBAO": CLOSED,
}
DOUYIN_STATES = {1: UNPAID, 105: PAID, 2: PAID, 101: SHIPPED, 3: SHIPPED, 4: CLOSED, 5: DONE}

# Where a status stands in the platform's lifecycle. Modified times are whole seconds, so two
# versions of one order can share a second (paid, then a refund request a moment later): the later
# status in the lifecycle is the later version. A close ends every lifecycle, so it ranks last.
STATUS_RANK = {
    "taobao": {
        "TRADE_NO_CREATE_PAY": 0,
        "WAIT_BUYER_PAY": 1,
        "WAIT_SELLER_SEND_GOODS": 2,
        "SELLER_CONSIGNED_PART": 3,
        "WAIT_BUYER_CONFIRM_GOODS": 4,
        "TRADE_BUYER_SIGNED": 5,
        "TRADE_FINISHED": 6,
        "TRADE_CLOSED_BY_TAOBAO": 7,
        "TRADE_CLOSED": 7,
    },
    "douyin": {"1": 0, "105": 1, "2": 2, "101": 3, "3": 4, "5": 5, "4": 6},
}


def status_rank(kind: str, status: str) -> int:
    """The status's place in the lifecycle; unknown statuses rank before every known one."""
    return STATUS_RANK.get(kind, {}).get(str(status), -1)


def version_key(kind: str, modified_at: dt.datetime, status: str) -> tuple:
    """Versions of one order compare by modified time, then by lifecycle rank: a later key is a
    newer version, an equal key is a replay."""
    return (modified_at, status_rank(kind, status))


@dataclass
class Line:
    sku_id: str
    outer_sku: str
    title: str
    quantity: Decimal
    unit_price: Decimal
    refund: str = ""  # "" (none or refused), PENDING (asked, not decided) or REFUNDED
    # the platform's own id of the line (Taobao sub-order ``oid``, Douyin sku order ``order_id``):
    # later versions are matched by it; "" when the payload names none (matched by position)
    line_id: str = ""


@dataclass
class ExternalOrder:
    external_id: str
    status: str
    phase: str
    modified_at: dt.datetime
    buyer_key: str
    buyer_name: str
    phone: str
    amount: Decimal
    lines: list[Line] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    province: str = ""  # the receiver's address, for routing to a sales region
    city: str = ""
    address: str = ""  # the rest of the receiver's address (district, street)
    buyer_note: str = ""  # the buyer's message to the seller

    def signature(self) -> dict:
        """What a later version may change after conversion, besides the lines."""
        return {"address": " ".join(x for x in (self.province, self.city, self.address) if x),
                "buyer_note": self.buyer_note}  # fmt: skip


def _dec(value: Any, default: str = "0", *, places: int = 2) -> Decimal:
    """An amount or price of a platform's message, through the one decimal parser: NaN, Infinity,
    overflow and more decimals than kept raise ``ValueError`` (the message is not readable)."""
    return parse_decimal(value if value not in (None, "") else default, places=places)


def _qty(value: Any) -> Decimal:
    """A quantity: positive, at most three decimals (as an order line keeps it)."""
    return parse_decimal(value, places=3, strictly_positive=True)


def normalize_taobao(trade: dict) -> ExternalOrder | None:
    """None for a message that cannot be read (counted as skipped on a pulled page, a 422 on a
    push) — an unreadable number never fails the page it came with."""
    try:
        return _normalize_taobao(trade)
    except (ValueError, TypeError, AttributeError):
        return None


def _normalize_taobao(trade: dict) -> ExternalOrder | None:
    modified = parse_top_time(trade.get("modified"))
    tid = str(trade.get("tid") or "").strip()
    if not tid or modified is None:
        return None
    status = str(trade.get("status") or "")
    lines = []
    for o in (trade.get("orders") or {}).get("order") or []:
        lines.append(
            Line(
                sku_id=str(o.get("sku_id") or ""),
                outer_sku=str(o.get("outer_sku_id") or o.get("outer_iid") or ""),
                title=str(o.get("title") or "")[:200],
                quantity=_qty(o.get("num")),
                unit_price=_dec(o.get("price")),
                refund=TAOBAO_REFUNDS.get(str(o.get("refund_status") or ""), ""),
                line_id=str(o.get("oid") or "")[:64],
            )
        )
    return ExternalOrder(
        external_id=tid,
        status=status,
        phase=TAOBAO_STATES.get(status, UNPAID),
        modified_at=modified,
        buyer_key=str(trade.get("buyer_open_uid") or trade.get("buyer_nick") or ""),
        buyer_name=str(trade.get("receiver_name") or trade.get("buyer_nick") or ""),
        phone=str(trade.get("receiver_mobile") or ""),
        amount=_dec(trade.get("payment")),
        lines=lines,
        raw=trade,
        province=str(trade.get("receiver_state") or ""),
        city=str(trade.get("receiver_city") or ""),
        address=" ".join(
            str(trade.get(k) or "") for k in ("receiver_district", "receiver_address")
        ).strip()[:200],
        buyer_note=str(trade.get("buyer_message") or "")[:500],
    )


def normalize_douyin(order: dict) -> ExternalOrder | None:
    """None for a message that cannot be read (counted as skipped on a pulled page, a 422 on a
    push) — an unreadable number never fails the page it came with."""
    try:
        return _normalize_douyin(order)
    except (ValueError, TypeError, AttributeError):
        return None


@dataclass
class Unreadable:
    """A pulled entry that names its order but cannot be read (an impossible number, a line that
    is not a mapping): it becomes an exception a person sees, never a silent skip."""

    external_id: str
    status: str
    problem: str
    raw: dict


def explain_unreadable(kind: str, raw: dict) -> Unreadable | None:
    """Why ``normalize_<kind>`` refused ``raw``, when the entry names its order; None when it names
    none (such an entry can only be counted)."""
    id_key, status_key, read = (
        ("tid", "status", _normalize_taobao) if kind == "taobao"
        else ("order_id", "order_status", _normalize_douyin)
    )  # fmt: skip
    external_id = str(raw.get(id_key) or "").strip()[:64]
    if not external_id:
        return None
    try:
        read(raw)
        problem = "no modification time"
    except (ValueError, TypeError, AttributeError) as exc:
        problem = str(exc)[:300] or type(exc).__name__
    return Unreadable(external_id, str(raw.get(status_key) or "")[:40], problem, raw)


def _normalize_douyin(order: dict) -> ExternalOrder | None:
    oid = str(order.get("order_id") or "").strip()
    try:
        modified = dt.datetime.fromtimestamp(int(order["update_time"]), tz=dt.UTC)
        code = int(order["order_status"])
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    if not oid:
        return None
    lines = []
    for s in order.get("sku_order_list") or []:
        qty = _qty(s.get("item_num"))
        total = _dec(s.get("sum_amount", s.get("origin_amount")), "0", places=0) / 100
        lines.append(
            Line(
                sku_id=str(s.get("sku_id") or ""),
                outer_sku=str(s.get("out_sku_id") or s.get("code") or ""),
                title=str(s.get("product_name") or "")[:200],
                quantity=qty,
                unit_price=(total / qty).quantize(Decimal("0.01")) if qty else Decimal(0),
                refund=_douyin_refund(s),
                line_id=str(s.get("order_id") or s.get("sku_order_id") or "")[:64],
            )
        )
    return ExternalOrder(
        external_id=oid,
        status=str(code),
        phase=DOUYIN_STATES.get(code, UNPAID),
        modified_at=modified,
        buyer_key=str(order.get("doudian_open_id") or order.get("post_tel") or ""),
        buyer_name=str(order.get("post_receiver") or ""),
        phone=str(order.get("post_tel") or ""),
        amount=_dec(order.get("pay_amount"), "0", places=0) / 100,
        lines=lines,
        raw=order,
        province=_addr_name(order, "province"),
        city=_addr_name(order, "city"),
        address=_douyin_street(order),
        buyer_note=str(order.get("buyer_words") or "")[:500],
    )


def _douyin_street(order: dict) -> str:
    addr = order.get("post_addr")
    detail = str(addr.get("detail") or "") if isinstance(addr, dict) else ""
    return " ".join(x for x in (_addr_name(order, "town"), detail) if x)[:200]


def _douyin_refund(sku: dict) -> str:
    info = sku.get("after_sale_info")
    try:
        return DOUYIN_REFUNDS.get(int((info or {}).get("refund_status") or 0), "")
    except (TypeError, ValueError, AttributeError):
        return ""


def _addr_name(order: dict, level: str) -> str:
    """Douyin's ``post_addr``: {"province": {"name", "id"}, "city": {…}, "town": {…}, "detail"}."""
    addr = order.get("post_addr")
    part = addr.get(level) if isinstance(addr, dict) else None
    return str((part.get("name") if isinstance(part, dict) else part) or "")


# --- the clients ----------------------------------------------------------------------------------


@dataclass
class Page:
    orders: list[ExternalOrder]
    has_next: bool
    total: int
    skipped: int = 0  # entries that could not be read: counted, never silent
    unreadable: list[Unreadable] = field(default_factory=list)  # …those that name their order


def _read_page(kind: str, entries: list) -> tuple[list[ExternalOrder], list[Unreadable]]:
    read = normalize_taobao if kind == "taobao" else normalize_douyin
    orders, unreadable = [], []
    for entry in entries:
        ext = read(entry) if isinstance(entry, dict) else None
        if ext is not None:
            orders.append(ext)
        elif isinstance(entry, dict) and (why := explain_unreadable(kind, entry)) is not None:
            unreadable.append(why)
    return orders, unreadable


class TaobaoClient:
    def __init__(self, *, base_url: str, app_key: str, secret: str, session: str, timeout=15.0):
        self.base_url = base_url.rstrip("/")
        self.app_key, self.secret, self.session = app_key, secret, session
        self.http = httpx.Client(timeout=timeout)

    def call(self, method: str, params: dict[str, Any]) -> dict:
        body = {
            "method": method,
            "app_key": self.app_key,
            "session": self.session,
            "timestamp": top_time(dt.datetime.now(dt.UTC)),
            "v": "2.0",
            "sign_method": "hmac-sha256",
            "format": "json",
            **{k: str(v) for k, v in params.items()},
        }
        body["sign"] = top_sign(body, self.secret, "hmac-sha256")
        try:
            resp = self.http.post(f"{self.base_url}/router/rest", data=body)
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ChannelError(f"Taobao: {exc.__class__.__name__}") from exc
        err = data.get("error_response") if isinstance(data, dict) else None
        if err:
            if err.get("code") in TAOBAO_THROTTLE_CODES:
                raise Throttled(f"Taobao {err.get('code')}: {err.get('sub_msg') or err.get('msg')}")
            raise ChannelError(
                f"Taobao {err.get('code')} {err.get('sub_code') or ''}: "
                f"{err.get('sub_msg') or err.get('msg')}"[:480]
            )
        return data

    def increment(self, start: dt.datetime, end: dt.datetime, page: int) -> Page:
        data = self.call(
            "taobao.trades.sold.increment.get",
            {
                "fields": "tid,status,buyer_nick,buyer_open_uid,created,modified,payment,"
                "receiver_name,receiver_mobile,receiver_state,receiver_city,receiver_district,"
                "receiver_address,buyer_message,orders",
                "start_modified": top_time(start),
                "end_modified": top_time(end),
                "page_no": page,
                "page_size": PAGE_SIZE,
                "use_has_next": "true",
            },
        )
        body = (
            data.get("trades_sold_increment_get_response")
            or data.get("trades_sold_get_response")
            or {}
        )
        trades = (body.get("trades") or {}).get("trade") or []
        orders, unreadable = _read_page("taobao", trades)
        return Page(orders, bool(body.get("has_next")), int(body.get("total_results") or 0),
                    skipped=len(trades) - len(orders), unreadable=unreadable)  # fmt: skip

    def order_phase(self, tid: str) -> str | None:
        """The trade's phase as the platform shows it now (read back before a resend)."""
        data = self.call("taobao.trade.fullinfo.get", {"fields": "tid,status,modified", "tid": tid})
        trade = (data.get("trade_fullinfo_get_response") or {}).get("trade") or {}
        return TAOBAO_STATES.get(str(trade.get("status") or ""))

    def consigned_sub_orders(self, tid: str) -> set[str]:
        """The trade's sub-orders (oid) that the platform shows as consigned."""
        data = self.call(
            "taobao.trade.fullinfo.get", {"fields": "tid,status,modified,orders", "tid": tid}
        )
        trade = (data.get("trade_fullinfo_get_response") or {}).get("trade") or {}
        return {
            str(o.get("oid"))
            for o in (trade.get("orders") or {}).get("order") or []
            if o.get("consign_time") or o.get("invoice_no")
        }

    def carriers(self) -> list[tuple[str, str]]:
        """(code, name) of every carrier the platform accepts (taobao.logistics.companies.get)."""
        data = self.call("taobao.logistics.companies.get", {"fields": "id,code,name"})
        body = (data.get("logistics_companies_get_response") or {}).get("logistics_companies")
        rows = (body or {}).get("logistics_company") or []
        return [(str(r.get("code") or ""), str(r.get("name") or "")) for r in rows if r.get("code")]

    def logistics_send(self, *, tid: str, out_sid: str, company_code: str,
                       sub_orders: list[tuple[str, int]] | None = None,
                       request_id: str = "") -> dict:  # fmt: skip
        """Consign the trade, or with ``sub_orders`` only those sub-orders (a split package)."""
        params: dict[str, Any] = {"tid": tid, "out_sid": out_sid, "company_code": company_code}
        if sub_orders is not None:
            params |= {"is_split": 1, "sub_tid": ",".join(str(s) for s, _n in sub_orders)}
        return self.call("taobao.logistics.offline.send", params)


class DouyinClient:
    def __init__(self, *, base_url: str, app_key: str, secret: str, token: str, timeout=15.0):
        self.base_url = base_url.rstrip("/")
        self.app_key, self.secret, self.token = app_key, secret, token
        self.http = httpx.Client(timeout=timeout)

    def call(self, method: str, params: dict[str, Any]) -> dict:
        param_json = douyin_param_json(params)
        timestamp = str(int(dt.datetime.now(dt.UTC).timestamp()))
        query = {
            "app_key": self.app_key,
            "method": method,
            "access_token": self.token,
            "timestamp": timestamp,
            "v": "2",
            "sign_method": "hmac-sha256",
            "sign": douyin_sign(
                app_key=self.app_key,
                method=method,
                param_json=param_json,
                timestamp=timestamp,
                secret=self.secret,
            ),
        }
        path = "/" + method.replace(".", "/")
        try:
            resp = self.http.post(
                f"{self.base_url}{path}",
                params=query,
                content=param_json.encode(),
                headers={"Content-Type": "application/json"},
            )
            if resp.status_code == 429:
                raise Throttled("Douyin: HTTP 429")
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ChannelError(f"Douyin: {exc.__class__.__name__}") from exc
        code = data.get("code") if isinstance(data, dict) else None
        if code != DOUYIN_OK:
            msg = f"Douyin {code}: {data.get('msg') if isinstance(data, dict) else data}"[:480]
            raise Throttled(msg) if code in DOUYIN_THROTTLE_CODES else ChannelError(msg)
        return data

    def increment(self, start: dt.datetime, end: dt.datetime, page: int) -> Page:
        data = self.call(
            "order.searchList",
            {
                "page": page - 1,  # Douyin counts pages from 0
                "size": PAGE_SIZE,
                "update_time_start": int(start.timestamp()),
                "update_time_end": int(end.timestamp()),
                "order_by": "update_time",
                "order_asc": True,
            },
        )
        body = data.get("data") or {}
        raw = body.get("shop_order_list") or []
        orders, unreadable = _read_page("douyin", raw)
        total = int(body.get("total") or 0)
        return Page(orders, page * PAGE_SIZE < total, total, skipped=len(raw) - len(orders),
                    unreadable=unreadable)  # fmt: skip

    def order_phase(self, order_id: str) -> str | None:
        data = self.call("order.orderDetail", {"shop_order_id": order_id})
        detail: Any = (data.get("data") or {}).get("shop_order_detail") or {}  # the platform's JSON
        try:
            return DOUYIN_STATES.get(int(detail.get("order_status")))
        except (TypeError, ValueError):
            return None

    def carriers(self) -> list[tuple[str, str]]:
        """(code, name) of every carrier the shop may ship with (order.logisticsCompanyList)."""
        data = self.call("order.logisticsCompanyList", {})
        rows = data.get("data") or []
        return [(str(r.get("code") or ""), str(r.get("name") or "")) for r in rows
                if isinstance(r, dict) and r.get("code")]  # fmt: skip

    def logistics_send(self, *, tid: str, out_sid: str, company_code: str,
                       sub_orders: list[tuple[str, int]] | None = None,
                       request_id: str = "") -> dict:  # fmt: skip
        """The whole order in one package, or with ``sub_orders`` one package of a split delivery
        (``request_id`` makes a repeat of the same package a no-op on the platform)."""
        if sub_orders is None:
            return self.call(
                "order.logisticsAdd",
                {"order_id": tid, "logistics_code": out_sid, "company_code": company_code},
            )
        pack = {
            "shipped_order_info": [
                {"shipped_order_id": str(s), "shipped_num": int(n)} for s, n in sub_orders
            ],
            "logistics_code": out_sid,
            "company_code": company_code,
        }
        return self.call(
            "order.logisticsAddMultiPack",
            {"order_id": tid, "pack_list": [pack], "request_id": request_id},
        )
