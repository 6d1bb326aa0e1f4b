"""Warehouses as master data (SPEC §1): list, create, edit, make default, deactivate, delete and
export. Exactly one active warehouse is the default while any exists (allocation and receipts
without a warehouse use it); a warehouse that ever held stock or saw a movement is never deleted —
its ledger points at it — only deactivated."""

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor
from zhongshu.core.errors import Conflict, NotFound
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_code, clean_text

from .models import StockLevel, StockMovement, Warehouse

CODE_MAX, NAME_MAX = 20, 80


# --- reads ---------------------------------------------------------------------------------------


def warehouse_list(*, actor: Actor, q: str = "", active: bool | None = None) -> QuerySet[Warehouse]:
    permissions.require(actor, "inventory.warehouses_view")
    qs = Warehouse.objects.all()
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def warehouse_get(*, actor: Actor, code: str) -> Warehouse:
    permissions.require(actor, "inventory.warehouses_view")
    wh = Warehouse.objects.filter(code=normalize_code(code)).first()
    if wh is None:
        raise NotFound(_("Warehouse %(code)s not found.") % {"code": normalize_code(code)})
    return wh


def has_history(warehouse: Warehouse) -> bool:
    """Whether the warehouse ever held stock or saw a movement (then it is kept for the ledger)."""
    return (
        StockMovement.objects.filter(warehouse=warehouse).exists()
        or StockLevel.objects.filter(warehouse=warehouse).exclude(on_hand=0, reserved=0).exists()
    )


# --- the rules a form, the API and an import share --------------------------------------------


def clean_warehouse(data: dict[str, Any], errors: Errors, *, creating: bool) -> dict[str, Any]:
    """Normalised fields of a warehouse, problems added to ``errors`` (the import calls this too)."""
    out = {}
    if creating or "code" in data:
        out["code"] = clean_code(errors, "code", data.get("code"), max_length=CODE_MAX)
    if creating or "name" in data:
        out["name"] = clean_text(
            errors, "name", data.get("name"), max_length=NAME_MAX, required=True
        )
    return out


def _make_default(wh: Warehouse) -> None:
    Warehouse.objects.filter(is_default=True).exclude(pk=wh.pk).update(is_default=False)
    if not wh.is_default:
        wh.is_default = True
        wh.save(update_fields=["is_default"])


def _keep_one_default() -> None:
    """While any active warehouse exists, one of them is the default."""
    if Warehouse.objects.filter(is_default=True, is_active=True).exists():
        return
    first = Warehouse.objects.filter(is_active=True).order_by("code").first()
    if first is not None:
        _make_default(first)


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def warehouse_save(
    *, actor: Actor, code: str, name: str, is_default: bool = False, creating: bool | None = None
) -> tuple[Warehouse, bool]:
    """Create the warehouse ``code`` or rename it; ``is_default`` makes it the default. Returns
    ``(warehouse, created)``. ``creating=True`` refuses an existing code, ``False`` a missing one."""
    permissions.require(actor, "inventory.warehouses_manage")
    errors = Errors()
    fields = clean_warehouse({"code": code, "name": name}, errors, creating=True)
    errors.raise_if_any()
    wh = Warehouse.objects.select_for_update().filter(code=fields["code"]).first()
    if wh is not None and creating:
        errors.add("code", _("Warehouse %(code)s already exists.") % {"code": fields["code"]})
        errors.raise_if_any()
    if wh is None and creating is False:
        raise NotFound(_("Warehouse %(code)s not found.") % {"code": fields["code"]})
    created = wh is None
    if wh is None:
        wh = Warehouse.objects.create(code=fields["code"], name=fields["name"])
    elif wh.name != fields["name"]:
        wh.name = fields["name"]
        wh.save(update_fields=["name"])
    if is_default:
        if not wh.is_active:
            raise Conflict(_("An inactive warehouse cannot be the default."))
        _make_default(wh)
    _keep_one_default()
    wh.refresh_from_db()
    return wh, created


@transaction.atomic
def warehouse_set_active(*, actor: Actor, code: str, active: bool) -> Warehouse:
    """Deactivate (or reactivate) a warehouse; the default passes to another active one."""
    permissions.require(actor, "inventory.warehouses_manage")
    wh = warehouse_get(actor=actor, code=code)
    if not active and StockLevel.objects.filter(warehouse=wh).exclude(reserved=0).exists():
        raise Conflict(_("Warehouse %(code)s holds reserved stock.") % {"code": wh.code})
    wh.is_active = active
    if not active:
        wh.is_default = False
    wh.save(update_fields=["is_active", "is_default"])
    _keep_one_default()
    wh.refresh_from_db()
    return wh


@transaction.atomic
def warehouse_delete(*, actor: Actor, code: str) -> None:
    """Delete a warehouse that never held stock; one with stock or movements is refused."""
    permissions.require(actor, "inventory.warehouses_manage")
    wh = warehouse_get(actor=actor, code=code)
    if has_history(wh):
        raise Conflict(
            _("Warehouse %(code)s has stock or movements; deactivate it instead.")
            % {"code": wh.code}
        )
    StockLevel.objects.filter(warehouse=wh).delete()  # empty rows only (checked above)
    wh.delete()
    _keep_one_default()


def warehouse_export(*, actor: Actor, q: str = "", active: bool | None = None) -> xlsx.ListExport:
    permissions.require(actor, "inventory.warehouses_view")
    qs = warehouse_list(actor=actor, q=q, active=active)
    columns = [
        xlsx.Column(_("Code"), lambda w: w.code, width=12),
        xlsx.Column(_("Name"), lambda w: w.name, width=24),
        xlsx.Column(_("Default"), lambda w: w.is_default, width=8),
        xlsx.Column(_("Active"), lambda w: w.is_active, width=8),
    ]
    return xlsx.ListExport(
        kind="warehouses",
        title=_("Warehouses"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"q": q, "active": active},
    )
