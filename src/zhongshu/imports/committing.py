"""Committing staged rows: orders through the set-based path of the order core, customers and
materials through their services, stock levels as adjustments. Each runs inside the chunk's
transaction (``services._commit_chunk``) and marks every row committed, duplicate or refused."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.catalog.services import material_create
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.customers.models import Customer
from zhongshu.customers.services import customer_create
from zhongshu.inventory.models import StockLevel
from zhongshu.inventory.services import stock_adjust
from zhongshu.orders.bulk import NewLine, NewOrder, orders_create_many
from zhongshu.orders.statuses import Channel

from .models import ImportBatch, ImportedOrder, ImportRow, RowStatus

STOCK_REASON = "导入"


def _column(batch: ImportBatch, field: str) -> str:
    idx = batch.columns.get(field)
    return batch.headers[idx] if idx is not None else ""


def _reject(batch, row: ImportRow, field: str, message, *, strict: bool) -> None:
    if strict:
        raise ValidationFailed(
            [{"field": field, "message": f"{_('Row')} {row.row_no}: {message}"}],
            message=f"{_('Row')} {row.row_no}: {message}",
        )
    row.status = RowStatus.INVALID
    row.errors = [*row.errors, {"column": _column(batch, field), "message": str(message)}]


# --- orders: the set-based path -------------------------------------------------------------------


def _commit_orders(batch, actor: Actor, groups, *, strict: bool) -> int:
    """The chunk's orders through ``orders_create_many`` — what ``order_create`` writes (the
    draft order in channel "import", its lines, the "created" event, the audit history, the
    after-commit hooks) in a handful of statements for the whole chunk — plus one
    ``ImportedOrder`` per order, which makes a second import of the same rows a no-op. Rows whose
    customer or material stopped being usable since the check are refused with that reason."""
    permissions.require(actor, "orders.create")
    todo = _still_usable(batch, actor, groups, strict=strict)
    if not todo:
        return 0
    # past due dates were a warning at the check: the importer chose to import them
    results = orders_create_many(
        actor=actor, orders=[_new_order(g) for g in todo], allow_past_due=True,
        channel=Channel.IMPORT,
    )  # fmt: skip
    created = []
    for g, result in zip(todo, results, strict=True):
        if isinstance(result, ValidationFailed):
            for r in g:
                for e in result.errors:
                    _reject(batch, r, _error_field(e["field"]), e["message"], strict=strict)
            continue
        created.append((g, result))
    Inserter(ImportedOrder, ("customer", "external_no", "order"), batch_id=batch.pk).insert(
        [(o.customer_id, o.external_no, o.pk) for _g, o in created]
    )
    for g, _o in created:
        for r in g:
            r.status = RowStatus.COMMITTED
    return len(created)


def _still_usable(batch, actor: Actor, groups, *, strict: bool) -> list:
    """The groups to create: not imported meanwhile (those rows become duplicates), with their
    customer and materials still usable (otherwise refused)."""
    scope = permissions.scope_customers(actor, Customer.objects.filter(is_active=True))
    cust_ids = {g[0].data["customer_id"] for g in groups}
    mat_ids = {r.data["material_id"] for g in groups for r in g}
    customers = set(scope.filter(pk__in=cust_ids).values_list("pk", flat=True))
    materials = set(
        Material.objects.filter(is_active=True, pk__in=mat_ids).values_list("pk", flat=True)
    )
    keys = {(g[0].data["customer_id"], g[0].data["external_no"]) for g in groups}
    taken = set(
        ImportedOrder.objects.filter(
            customer_id__in={k[0] for k in keys}, external_no__in={k[1] for k in keys}
        ).values_list("customer_id", "external_no")
    )
    todo = []
    for g in groups:
        head = g[0].data
        if (head["customer_id"], head["external_no"]) in taken:
            for r in g:
                r.status = RowStatus.DUPLICATE
        elif head["customer_id"] not in customers:
            for r in g:
                _reject(batch, r, "customer",
                        _("The customer changed since the check; upload again."), strict=strict)  # fmt: skip
        elif any(r.data["material_id"] not in materials for r in g):
            for r in g:
                _reject(batch, r, "material",
                        _("A material changed since the check; upload again."), strict=strict)  # fmt: skip
        else:
            todo.append(g)
    return todo


def _new_order(g) -> NewOrder:
    head = g[0].data
    return NewOrder(
        customer_id=head["customer_id"],
        due_date=dt.date.fromisoformat(head["due_date"]),
        lines=[
            NewLine(
                material_id=r.data["material_id"],
                quantity=Decimal(r.data["quantity"]),
                unit_price=Decimal(r.data["unit_price"]),
                fulfilment=r.data["fulfilment"],
                note=r.data["note"],
                custom=r.data.get("line_custom") or {},
            )
            for r in g
        ],
        values={
            "external_no": head["external_no"],
            "priority": head["priority"],
            "custom": head.get("custom") or {},
        },
    )


def _error_field(field: str) -> str:
    """The import column of an ``order_create`` error field ("lines[2].quantity" → quantity)."""
    return field.rsplit(".", 1)[-1] if field.startswith("lines[") else field


# --- customers / materials: through their services ------------------------------------------------


def commit_each(batch, groups, *, strict: bool, save, error_field: str) -> int:
    """Each one-row group through ``save(row)`` in its own savepoint. A row the service refuses
    is marked with the service's messages, or stops the batch when it is all or nothing."""
    saved = 0
    for (row,) in groups:
        try:
            with transaction.atomic():
                save(row)
        except ValidationFailed as exc:
            if strict:
                raise
            for e in exc.errors:
                _reject(batch, row, e["field"], e["message"], strict=False)
            continue
        except DomainError as exc:
            if strict:
                raise
            _reject(batch, row, error_field, exc.message, strict=False)
            continue
        row.status = RowStatus.COMMITTED
        saved += 1
    return saved


def _commit_service_rows(batch, actor: Actor, groups, *, strict: bool) -> int:
    def save(row):
        data = dict(row.data)
        code = data.pop("code")
        if batch.kind == "customers":
            customer_create(actor=actor, code=code, **data)
            return
        for field in ("standard_price", "safety_stock"):
            if field in data:
                data[field] = Decimal(data[field])
        material_create(actor=actor, code=code, **data)

    return commit_each(batch, groups, strict=strict, save=save, error_field="code")


def _commit_stock(batch, actor: Actor, groups, *, strict: bool) -> int:
    created = 0
    for (row,) in groups:
        d = row.data
        level = (
            StockLevel.objects.filter(material__code=d["material"], warehouse__code=d["warehouse"])
            .values_list("on_hand", flat=True)
            .first()
        )
        delta = Decimal(d["quantity"]) - (level if level is not None else Decimal(0))
        if delta == 0:
            row.status = RowStatus.DUPLICATE
            continue
        try:
            with transaction.atomic():
                stock_adjust(
                    actor=actor,
                    material=d["material"],
                    warehouse=d["warehouse"],
                    quantity=delta,
                    reason=STOCK_REASON,
                )
        except DomainError as exc:
            if strict:
                raise
            _reject(batch, row, "quantity", exc.message, strict=False)
            continue
        row.status = RowStatus.COMMITTED
        created += 1
    return created
