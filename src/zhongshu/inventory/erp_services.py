"""Writes around the ERP link: the connection settings, the connection test, and the master data
pull (存货, 客户, 仓库) with its code mapping."""

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core import crypto
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_text

from . import erp, posting
from .erp import MASTER_KINDS
from .erp.config import state
from .erp_models import ErpConnection, ErpMasterRecord

if TYPE_CHECKING:
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer

    from .models import Warehouse


@transaction.atomic
def connection_save(
    *, actor: Actor, base_url: str, app_key: str = "", app_secret: str = "", open_token: str = ""
) -> ErpConnection:
    """Store the connection. A secret left empty keeps the stored one (it is never shown)."""
    permissions.require(actor, "inventory.erp_settings")
    errors = Errors()
    base_url = clean_text(errors, "base_url", base_url, max_length=200) or ""
    if base_url and not base_url.startswith(("http://", "https://")):
        errors.add("base_url", _("Enter an address starting with http:// or https://."))
    app_key = clean_text(errors, "app_key", app_key, max_length=120) or ""
    app_secret = clean_text(errors, "app_secret", app_secret, max_length=500) or ""
    open_token = clean_text(errors, "open_token", open_token, max_length=2000) or ""
    errors.raise_if_any()
    row = state()
    row.base_url = base_url.rstrip("/")
    row.app_key = app_key
    if app_secret:
        row.app_secret = crypto.encrypt(app_secret)
    if open_token:
        row.open_token = crypto.encrypt(open_token)
        row.auth_failed_at, row.auth_error = None, ""
    row.updated_by = actor
    row.save()
    return row


def connection_test(*, actor: Actor, connector: erp.Connector | None = None) -> tuple[bool, str]:
    """One call to T+ with the current settings: (True, "") or (False, why)."""
    permissions.require(actor, "inventory.erp_settings")
    ok, message = True, ""
    try:
        (connector or erp.connector(timeout=5.0)).ping()
    except erp.ErpAuthFailed as exc:
        ok, message = False, str(exc)
        posting.auth_failed(message)
    except erp.ErpUnavailable as exc:
        ok, message = False, str(exc)
    else:
        posting.auth_ok()
    ErpConnection.objects.filter(pk=state().pk).update(
        last_test_at=timezone.now(), last_test_ok=ok, last_test_message=message[:300]
    )
    return ok, message


def master_pull(*, actor: Actor, connector: erp.Connector | None = None) -> dict[str, int]:
    """Fetch materials, customers and warehouses from T+; the mapping keeps local codes that
    someone set, and maps a new record to the same code. Returns how many of each came."""
    permissions.require(actor, "inventory.erp_master")
    if connector is None and not erp.connected():
        from .exceptions import ErpNotConnected

        raise ErpNotConnected()
    conn = connector or erp.connector(timeout=10.0)
    try:
        pulled = {kind: conn.pull(kind) for kind in MASTER_KINDS}
    except erp.ErpUnavailable as exc:
        from .exceptions import ErpUnreachable

        raise ErpUnreachable(str(exc)) from exc
    with transaction.atomic():
        for kind, records in pulled.items():
            known = {r.code: r for r in ErpMasterRecord.objects.filter(kind=kind)}
            new = []
            for rec in records:
                row = known.get(rec.code)
                if row is None:
                    new.append(ErpMasterRecord(kind=kind, code=rec.code, name=rec.name[:200],
                                               local_code=rec.code))  # fmt: skip
                elif row.name != rec.name[:200]:
                    row.name = rec.name[:200]
                    row.save(update_fields=["name", "pulled_at"])
            ErpMasterRecord.objects.bulk_create(new)
            gone = set(known) - {r.code for r in records}
            ErpMasterRecord.objects.filter(kind=kind, code__in=gone).delete()
    return {kind: len(records) for kind, records in pulled.items()}


@transaction.atomic
def master_map(*, actor: Actor, kind: str, code: str, local_code: str) -> ErpMasterRecord:
    """Map a T+ code to a different local code (or to none: empty)."""
    from zhongshu.core.errors import NotFound

    permissions.require(actor, "inventory.erp_master")
    if kind not in MASTER_KINDS:  # also keeps a NUL out of the query (PostgreSQL refuses it)
        raise NotFound()
    code = normalize_text(code)
    row = ErpMasterRecord.objects.filter(kind=kind, code=code).first()
    if row is None:
        raise NotFound()
    local_code = (local_code or "").strip()[:60]
    if local_code and local_code not in _local_codes(kind):
        from zhongshu.core.errors import ValidationFailed

        raise ValidationFailed({"local_code": _("Unknown code: %(code)s") % {"code": local_code}})
    row.local_code = local_code
    row.save(update_fields=["local_code", "pulled_at"])
    return row


def _local_codes(kind: str) -> set[str]:
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer

    from .models import Warehouse

    models: dict[str, type[Material] | type[Customer] | type[Warehouse]] = {
        "material": Material,
        "customer": Customer,
        "warehouse": Warehouse,
    }
    model = models[kind]
    return set(model.objects.values_list("code", flat=True))


def master_compare(*, actor: Actor) -> dict[str, dict[str, list[Any]]]:
    """Per kind, the codes found on one side only (listed, never guessed) and the mapped ones."""
    permissions.require(actor, "inventory.erp_master")
    local = {kind: _local_codes(kind) for kind in MASTER_KINDS}
    out: dict[str, dict[str, list[Any]]] = {}
    for kind in MASTER_KINDS:
        rows = list(ErpMasterRecord.objects.filter(kind=kind).order_by("code"))
        mapped = {r.local_code for r in rows if r.local_code in local[kind]}
        out[kind] = {
            "mapped": [(r.code, r.local_code, r.name) for r in rows if r.local_code in mapped],
            "tplus_only": [(r.code, r.name) for r in rows if r.local_code not in local[kind]],
            "local_only": sorted(local[kind] - mapped),
        }
    return out


@transaction.atomic
def master_create(*, actor: Actor, kind: str, codes: list[str], region: str = "") -> list[str]:
    """Create here the records that exist in T+ only, from what T+ holds (code and name).

    An explicit action, per code or for the codes chosen: nothing is ever created because a
    code merely looks alike. Customers need the region they belong to. All or nothing: when
    any code cannot be created, every problem is listed and none is written. Returns the local
    codes created; each T+ record is then mapped to its new local code."""
    from zhongshu.catalog.services import material_create
    from zhongshu.core.errors import ValidationFailed
    from zhongshu.customers.services import customer_create

    from .services import warehouse_create

    permissions.require(actor, "inventory.erp_master")
    if kind not in MASTER_KINDS:
        raise ValidationFailed({"kind": _("Choose materials, customers or warehouses.")})
    wanted = list(dict.fromkeys(str(c).strip() for c in codes or () if str(c).strip()))
    if not wanted:
        raise ValidationFailed({"codes": _("Choose at least one code.")})
    found = {r.code: r for r in ErpMasterRecord.objects.filter(kind=kind, code__in=wanted)}
    errors = Errors()
    for code in wanted:
        if code not in found:
            errors.add("codes", _("%(code)s was not pulled from T+.") % {"code": code})
    errors.raise_if_any()
    created = []
    for code in wanted:
        record = found[code]
        name = record.name or record.code
        obj: Material | Customer | Warehouse
        try:
            if kind == "material":
                obj = material_create(actor=actor, code=code, name=name[:120])
            elif kind == "customer":
                obj = customer_create(actor=actor, code=code, name=name[:120], region=region)
            else:
                obj = warehouse_create(actor=actor, code=code, name=name[:80])
        except ValidationFailed as exc:
            for err in exc.details.get("errors", []):
                errors.add("codes", f"{code}: {err['message']}")
            continue
        record.local_code = obj.code
        record.save(update_fields=["local_code", "pulled_at"])
        created.append(obj.code)
    errors.raise_if_any()
    return created
