"""Chanjet/Yonyou T+ OpenAPI (v2): the one module that knows T+'s resource names and reply shapes.

Requests are ``POST {base}/tplus/api/v2/<resource>/<Action>`` with the ``appKey``, ``appSecret``
and ``openToken`` headers; queries send ``{"param": {...}}``, documents ``{"dto": {...}}``.
Replies: 2xx with JSON; errors non-2xx with a JSON ``message`` (and a ``code``). 401/403 mean the
credentials are expired or revoked; a 4xx that names a duplicate ExternalCode means the document
is already there; any other 4xx is a refusal a person has to look at; 5xx, timeouts, refused
connections and non-JSON bodies are "unavailable".

The document resource names follow Chanjet's open-platform naming (销货单 ``saleDelivery``,
其他入库单 ``otherReceive``, 其他出库单 ``otherDispatch``, 采购入库单 ``purchaseReceive``,
产成品入库单 ``productReceive``); they are kept in ``RESOURCES`` only, to be checked against the
account's API list when connecting a real T+.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from django.utils.translation import gettext as _

from . import (
    Document,
    DocumentKind,
    ErpAuthFailed,
    ErpDuplicate,
    ErpRejected,
    ErpUnavailable,
    MasterRecord,
    StockRow,
)
from .config import current

API = "/tplus/api/v2"
QUERY_PATH = f"{API}/currentStock/Query"
RESOURCES = {
    DocumentKind.SALE_DELIVERY: ("saleDelivery", "SaleDeliveryDetails"),
    DocumentKind.OTHER_RECEIPT: ("otherReceive", "RDRecordDetails"),
    DocumentKind.OTHER_ISSUE: ("otherDispatch", "RDRecordDetails"),
    DocumentKind.PURCHASE_RECEIPT: ("purchaseReceive", "RDRecordDetails"),
    DocumentKind.PRODUCTION_RECEIPT: ("productReceive", "RDRecordDetails"),
}
MASTER = {"material": "inventory", "customer": "partner", "warehouse": "warehouse"}
PAGE_SIZE = 100
MAX_PAGES = 10_000
DUPLICATE_MARKERS = ("已存在", "already exists", "duplicate")


class TplusConnector:
    name = "tplus"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        from django.conf import settings

        self.config = current()
        self.base_url = (base_url if base_url is not None else self.config.base_url).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.TPLUS_TIMEOUT
        self.transport = transport
        self._client: httpx.Client | None = None

    # --- plumbing ---------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "appKey": self.config.app_key,
            "appSecret": self.config.app_secret,
            "openToken": self.config.open_token,
        }

    def __enter__(self) -> "TplusConnector":
        self._client = self._new_client()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _new_client(self) -> httpx.Client:
        if not self.base_url:
            raise ErpUnavailable(
                _("T+ is not connected yet: fill in its address and credentials first.")
            )
        return httpx.Client(base_url=self.base_url, timeout=self.timeout, transport=self.transport)

    def _call(self, path: str, payload: dict[str, Any]) -> Any:
        """POST and return the JSON body; raises the error class the status says."""
        own = self._client is None
        client = self._new_client() if self._client is None else self._client
        try:
            response = client.post(path, json=payload, headers=self._headers())
        except httpx.HTTPError as exc:
            raise ErpUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
        finally:
            if own:
                client.close()
        status = response.status_code
        if 200 <= status < 300:
            try:
                return response.json()
            except ValueError as exc:
                raise ErpUnavailable("the reply is not JSON") from exc
        message = _message(response)
        if status in (401, 403):
            raise ErpAuthFailed(f"HTTP {status}: {message}")
        if 400 <= status < 500 and status not in (404, 408, 429):
            if "duplicate" in _code(response) or (
                "ExternalCode" in message and any(m in message for m in DUPLICATE_MARKERS)
            ):
                raise ErpDuplicate(message)
            raise ErpRejected(message)
        raise ErpUnavailable(f"HTTP {status}: {message}")

    # --- the interface ------------------------------------------------------------------------

    def current_stock(
        self, *, warehouse: str | None = None, material: str | None = None
    ) -> list[StockRow]:
        rows: list[StockRow] = []
        param: dict[str, Any] = {"PageSize": PAGE_SIZE}
        if warehouse:
            param["Warehouse"] = [{"Code": warehouse}]
        if material:
            param["Inventory"] = [{"Code": material}]
        for page in range(1, MAX_PAGES + 1):
            body = self._call(QUERY_PATH, {"param": {**param, "PageIndex": page}})
            page_rows, total = parse_stock(body)
            rows.extend(page_rows)
            if not page_rows or total is None or len(rows) >= total:
                return rows
        raise ErpUnavailable("too many pages")

    def post_document(self, document: Document) -> str:
        resource, details_key = RESOURCES[document.kind]
        dto: dict[str, Any] = {
            "ExternalCode": document.external_code,
            "VoucherDate": document.date,
            "Warehouse": {"Code": document.warehouse},
            "Memo": document.memo[:200],
            details_key: [
                {
                    "Inventory": {"Code": line.material},
                    **({"Warehouse": {"Code": line.warehouse}} if line.warehouse else {}),
                    "Unit": {"Name": line.unit},
                    "Quantity": str(line.quantity),
                    **({"OrigTaxPrice": str(line.price)} if line.price is not None else {}),
                }
                for line in document.lines
            ],
        }
        if document.kind == DocumentKind.SALE_DELIVERY:
            dto["BusinessType"] = {"Code": "15"}  # 普通销售
            dto["Customer"] = {"Code": document.customer}
        body = self._call(f"{API}/{resource}/Create", {"dto": dto})
        number = body.get("Code") if isinstance(body, dict) else None
        return str(number or document.external_code)

    def find_document(self, external_code: str, *, kind: str | None = None) -> str | None:
        kinds = [kind] if kind in RESOURCES else list(RESOURCES)
        for resource, _details in (RESOURCES[k] for k in kinds):
            body = self._call(f"{API}/{resource}/Query", {"param": {"ExternalCode": external_code}})
            items = _items(body)
            if items:
                return str(items[0].get("Code") or external_code)
        return None

    def pull(self, kind: str) -> list[MasterRecord]:
        resource = MASTER[kind]
        records: list[MasterRecord] = []
        for page in range(1, MAX_PAGES + 1):
            body = self._call(
                f"{API}/{resource}/Query", {"param": {"PageSize": PAGE_SIZE, "PageIndex": page}}
            )
            items = _items(body)
            for item in items:
                code = str(item.get("Code") or "").strip()
                if code:
                    records.append(MasterRecord(kind, code, str(item.get("Name") or "")))
            total = body.get("TotalCount") if isinstance(body, dict) else None
            if not items or not isinstance(total, int) or page * PAGE_SIZE >= total:
                return records
        raise ErpUnavailable("too many pages")

    def ping(self) -> None:
        self._call(QUERY_PATH, {"param": {"PageSize": 1, "PageIndex": 1}})


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("Message") or body)[:300]
    return str(body)[:300]


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or "").lower() if isinstance(body, dict) else ""


def _items(body: Any) -> list[dict[str, Any]]:
    items: list[Any] | None
    if isinstance(body, list):
        items = body
    elif isinstance(body, dict):
        items = next(
            (body[k] for k in ("Data", "data", "Rows", "rows") if isinstance(body.get(k), list)),
            None,
        )
        if items is None:
            raise ErpUnavailable("the reply has no rows")
    else:
        raise ErpUnavailable("unexpected reply")
    if not all(isinstance(i, dict) for i in items):
        raise ErpUnavailable("a row is not an object")
    return items


def parse_stock(body: Any) -> tuple[list[StockRow], int | None]:
    items = _items(body)
    total = body.get("TotalCount") if isinstance(body, dict) else None
    if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
        raise ErpUnavailable("TotalCount is not a number")
    rows = []
    for item in items:
        try:
            qty = Decimal(str(item["ExistingQuantity"]))
            wh, code = str(item["WarehouseCode"]).strip(), str(item["InventoryCode"]).strip()
        except (KeyError, InvalidOperation, TypeError) as exc:
            raise ErpUnavailable("a row lacks warehouse, material or quantity") from exc
        if not qty.is_finite() or not wh or not code:
            raise ErpUnavailable("a row has an invalid quantity or code")
        rows.append(
            StockRow(
                wh,
                code,
                str(item.get("InventoryName") or ""),
                qty,
                str(item.get("LastModifier") or "")[:60],
                str(item.get("LastModifiedTime") or "")[:40],
            )
        )
    return rows, total
