"""API of the ERP link: the reconciliation, retrying a failed posting, the connection test and
the master data pull. Mounted on the inventory router (``/api/v1/inventory/...``)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Router, Schema

from zhongshu.accounts import permissions
from zhongshu.core.actors import ApiRequest
from zhongshu.core.schemas import InputSchema, errors

from . import erp_services, posting, reconciliation
from .erp_models import ErpDifference, ErpMasterRecord, ErpPosting

router = Router(tags=["inventory"])


class ConnectionOut(Schema):
    configured: bool
    source: str
    base_url: str
    auth_failed_at: datetime | None
    auth_error: str
    last_sync_at: datetime | None
    last_sync_ok: bool
    last_sync_error: str
    synced_at: datetime | None
    stale: bool
    pending: int
    failed: int


class ReconciliationRowOut(Schema):
    material: str
    material_name: str
    warehouse: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    tplus_on_hand: Decimal | None
    synced_at: datetime | None
    unposted: Decimal
    pending_documents: int
    failed_documents: int
    unexplained: Decimal
    gap: Decimal | None
    oversold_risk: bool


class PostingOut(Schema):
    id: int
    external_code: str
    document: str
    material: str
    warehouse: str
    quantity: Decimal
    status: str
    error_kind: str
    message: str
    attempts: int
    created_at: datetime

    @staticmethod
    def resolve_material(obj: ErpPosting) -> str:
        return obj.material.code

    @staticmethod
    def resolve_warehouse(obj: ErpPosting) -> str:
        return obj.warehouse.code

    @staticmethod
    def resolve_quantity(obj: ErpPosting) -> Decimal:
        return obj.on_hand_delta

    @staticmethod
    def resolve_message(obj: ErpPosting) -> str:
        return obj.last_error


class DifferenceOut(Schema):
    material: str
    warehouse: str
    ours_before: Decimal
    erp_on_hand: Decimal
    unposted: Decimal
    difference: Decimal
    erp_modified_by: str
    erp_modified_at: str
    created_at: datetime

    @staticmethod
    def resolve_material(obj: ErpDifference) -> str:
        return obj.material.code

    @staticmethod
    def resolve_warehouse(obj: ErpDifference) -> str:
        return obj.warehouse.code


class ReconciliationOut(Schema):
    connection: ConnectionOut
    items: list[ReconciliationRowOut]
    failed: list[PostingOut]
    differences: list[DifferenceOut]


class TestOut(Schema):
    ok: bool
    message: str


class PullOut(Schema):
    material: int
    customer: int
    warehouse: int


class MasterSideOut(Schema):
    mapped: list[list[str]]
    tplus_only: list[list[str]]
    local_only: list[str]


class MasterOut(Schema):
    material: MasterSideOut
    customer: MasterSideOut
    warehouse: MasterSideOut


class EmptyIn(InputSchema):
    """A body that must be empty (or absent)."""


class MasterCreateIn(InputSchema):
    kind: str  # material | customer | warehouse
    codes: list[str]
    region: str = ""  # customers only: the region they belong to


class MasterCreatedOut(Schema):
    created: list[str]


class MasterMapIn(InputSchema):
    kind: str
    code: str  # the T+ code
    local_code: str  # the Zhongshu code it stands for ("" for none)


class MasterRecordOut(Schema):
    kind: str
    code: str
    name: str
    local_code: str


@router.get("/reconciliation", response={200: ReconciliationOut, **errors(401, 403, 422)})
def get_reconciliation(
    request: ApiRequest, q: str = "", problems_only: bool = False
) -> dict[str, Any]:
    """Per material and warehouse: our on-hand, T+'s last figure, the moves not yet in T+
    (``unposted``, signed), failed documents with T+'s message, and differences nobody explained
    (stock moved in T+ directly, with who/when when T+ tells)."""
    return reconciliation.reconciliation(actor=request.auth, q=q[:60], problems_only=problems_only)


@router.post(
    "/postings/{int:posting_id}/retry", response={200: PostingOut, **errors(401, 403, 404, 409)}
)
def retry_posting(request: ApiRequest, posting_id: int) -> ErpPosting:
    """Send a failed document to T+ again with the next drain of the outbox."""
    done = posting.posting_retry(actor=request.auth, posting_id=posting_id)
    return ErpPosting.objects.select_related("material", "warehouse").get(pk=done.pk)


@router.post("/erp/test", response={200: TestOut, **errors(401, 403)})
def test_connection(request: ApiRequest) -> dict[str, Any]:
    """One call to T+ with the stored settings: ``ok`` and, when not, T+'s reason."""
    ok, message = erp_services.connection_test(actor=request.auth)
    return {"ok": ok, "message": message}


@router.post("/erp/master/pull", response={200: PullOut, **errors(401, 403, 409, 503)})
def pull_master(request: ApiRequest) -> dict[str, int]:
    """Fetch 存货, 客户 and 仓库 from T+ into the code mapping."""
    return erp_services.master_pull(actor=request.auth)


@router.get("/erp/master", response={200: MasterOut, **errors(401, 403)})
def get_master(request: ApiRequest) -> dict[str, dict[str, list[Any]]]:
    """Per kind, the T+ codes mapped to a local one, and the codes found on one side only."""
    permissions.require(request.auth, "inventory.erp_master")
    return erp_services.master_compare(actor=request.auth)


@router.post("/erp/master/create", response={200: MasterCreatedOut, **errors(401, 403, 422)})
def create_from_master(request: ApiRequest, payload: MasterCreateIn) -> dict[str, list[str]]:
    """Create here the T+ records chosen by code (listed as "only in T+"), from T+'s code and
    name; all or nothing. Needs the right to create that kind of record too."""
    created = erp_services.master_create(
        actor=request.auth, kind=payload.kind, codes=payload.codes, region=payload.region
    )
    return {"created": created}


@router.post("/erp/master/map", response={200: MasterRecordOut, **errors(401, 403, 404, 422)})
def map_master(request: ApiRequest, payload: MasterMapIn) -> ErpMasterRecord:
    """Map a T+ code to a different Zhongshu code: documents are posted with the T+ code, and
    T+'s stock for it counts for the Zhongshu one."""
    return erp_services.master_map(
        actor=request.auth, kind=payload.kind, code=payload.code, local_code=payload.local_code
    )
