"""What each kind of import reads and checks, one module per kind.

A kind lists its columns (field, required, the header texts it accepts) and validates all staged
rows at once: look-ups are one query per 2,000 codes, never one per row, and every problem of every
row is collected before anything is reported.
"""

from .base import CHUNK, Column, Kind, Staged, _cell, _chunks, _err, _load, _warn, date_or_none
from .customers import CustomersKind
from .history import HistoryKind
from .materials import MaterialsKind
from .orders import OrdersKind
from .sku_mappings import CHANNEL_ALIASES, SkuMappingsKind
from .stock import StockKind

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (OrdersKind(), CustomersKind(), MaterialsKind(), StockKind(), SkuMappingsKind())
}
KINDS["history"] = HistoryKind()

__all__ = [
    "CHANNEL_ALIASES",
    "CHUNK",
    "KINDS",
    "Column",
    "CustomersKind",
    "HistoryKind",
    "Kind",
    "MaterialsKind",
    "OrdersKind",
    "SkuMappingsKind",
    "Staged",
    "StockKind",
    "_cell",
    "_chunks",
    "_err",
    "_load",
    "_warn",
    "date_or_none",
]
