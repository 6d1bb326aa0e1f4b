"""The ERP that owns on-hand stock, behind one interface.

Inventory talks to "the ERP" only through a :class:`Connector`: query current stock, post a stock
document, find a document by its ExternalCode, pull master data, and ping. Chanjet/Yonyou T+ is the
one implementation today (``erp/tplus.py``); a second ERP (Kingdee, U8) is one more module that
implements the same methods and one more entry in ``CONNECTORS`` — nothing else in inventory
changes.

Errors are sorted the way the posting outbox acts on them:

* :class:`ErpUnavailable` — timeout, refused, 5xx, not the expected reply: retry with back-off;
* :class:`ErpAuthFailed` — credentials expired or revoked: stop, alert, retry after a fix;
* :class:`ErpRejected` — the ERP read the document and refused it (unknown code, closed period):
  needs a person, kept visible and retryable;
* :class:`ErpDuplicate` — the ExternalCode is already there: the document was posted before.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from ..exceptions import TplusUnavailable


class ErpUnavailable(TplusUnavailable):
    """The ERP did not answer usefully; the last figures stay in use."""


class ErpAuthFailed(ErpUnavailable):
    """The ERP refused the credentials (expired or revoked token, wrong key)."""


class ErpRejected(Exception):
    """The ERP refused the document itself; its message says why."""


class ErpDuplicate(Exception):
    """The ERP already holds a document with this ExternalCode."""


@dataclass(frozen=True)
class StockRow:
    warehouse: str
    material: str
    name: str
    existing: Decimal
    # who last moved this stock in the ERP and when, when the ERP tells (else empty)
    modified_by: str = ""
    modified_at: str = ""


@dataclass(frozen=True)
class DocumentLine:
    material: str
    quantity: Decimal  # positive: the document kind says the direction
    unit: str = ""
    price: Decimal | None = None
    warehouse: str = ""  # when it differs from the document's (T+ takes one per line)


@dataclass(frozen=True)
class Document:
    kind: str  # one of DocumentKind
    external_code: str
    warehouse: str
    date: str  # YYYY-MM-DD
    lines: list[DocumentLine] = field(default_factory=list)
    customer: str = ""
    memo: str = ""


@dataclass(frozen=True)
class MasterRecord:
    kind: str  # material | customer | warehouse
    code: str
    name: str


class DocumentKind:
    SALE_DELIVERY = "sale_delivery"  # 销货单
    PURCHASE_RECEIPT = "purchase_receipt"  # 采购入库单
    OTHER_RECEIPT = "other_receipt"  # 其他入库单
    OTHER_ISSUE = "other_issue"  # 其他出库单
    PRODUCTION_RECEIPT = "production_receipt"  # 产成品入库单

    RECEIPTS = frozenset({PURCHASE_RECEIPT, OTHER_RECEIPT, PRODUCTION_RECEIPT})
    ALL = (SALE_DELIVERY, PURCHASE_RECEIPT, OTHER_RECEIPT, OTHER_ISSUE, PRODUCTION_RECEIPT)


MASTER_KINDS = ("material", "customer", "warehouse")


class Connector(Protocol):
    name: str

    def current_stock(
        self, *, warehouse: str | None = None, material: str | None = None
    ) -> list[StockRow]: ...

    def post_document(self, document: Document) -> str:
        """Create the document; returns the ERP's own number for it."""
        ...

    def find_document(self, external_code: str, *, kind: str | None = None) -> str | None:
        """The ERP's number of the document with this ExternalCode (of this kind, when given),
        or None."""
        ...

    def pull(self, kind: str) -> list[MasterRecord]: ...

    def ping(self) -> None:
        """Raise an ErpUnavailable/ErpAuthFailed when the connection does not work."""
        ...

    def __enter__(self) -> "Connector":
        """Hold one connection open for a run of calls (closed on exit)."""
        ...

    def __exit__(self, *exc: object) -> None: ...


def connector(**kwargs: Any) -> Connector:
    """The configured ERP's connector (T+ today)."""
    from .tplus import TplusConnector

    return TplusConnector(**kwargs)


def connected() -> bool:
    """Whether an ERP owns on-hand stock here: then every stock move is posted to it."""
    from . import config

    return config.configured()
