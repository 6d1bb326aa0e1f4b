"""What each kind of import reads and checks, one module per kind.

A kind lists its columns (field, required, the header texts it accepts) and validates all staged
rows at once: look-ups are one query per 2,000 codes, never one per row, and every problem of every
row is collected before anything is reported.
"""

from .base import CHUNK, Column, Kind, Staged, _cell, _chunks, _err, _load, _warn, date_or_none
from .boms import BomsKind
from .customers import CustomersKind
from .history import HistoryKind
from .materials import MaterialsKind
from .open_stock import OpenStockKind
from .orders import OrdersKind
from .qc_plans import QcPlansKind
from .receivables import ReceivablesKind
from .regions import RegionsKind
from .routings import RoutingsKind
from .sku_mappings import CHANNEL_ALIASES, SkuMappingsKind
from .stock import StockKind
from .supplier_prices import SupplierPricesKind
from .suppliers import SuppliersKind
from .users import UsersKind
from .warehouses import WarehousesKind

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (OrdersKind(), CustomersKind(), MaterialsKind(), StockKind(), SkuMappingsKind())
}
# the kinds a factory starts from (docs/imports.md, "Go-live kinds")
KINDS.update(
    {
        k.slug: k
        for k in (
            RegionsKind(),
            WarehousesKind(),
            SuppliersKind(),
            SupplierPricesKind(),
            UsersKind(),
            RoutingsKind(),
            BomsKind(),
            QcPlansKind(),
            OpenStockKind(),
            ReceivablesKind(),
        )
    }
)
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
