import datetime as dt

from django.http import JsonResponse
from ninja import File, Query, Router, Status, UploadedFile

from zhongshu.core.schemas import errors

from . import selectors, services
from .exceptions import Unauthenticated
from .schemas import (
    AccountCreated,
    AccountIn,
    AccountOut,
    AddressRegionIn,
    AddressRegionOut,
    CarrierMappingIn,
    CarrierMappingOut,
    CarrierOut,
    CarrierRefreshOut,
    DismissIn,
    ExceptionPage,
    MappingIn,
    MappingOut,
    MappingPage,
    MapRetryIn,
    MapRetryOut,
    PoolPage,
    RouteRetryIn,
    RouteRetryOut,
    RoutingRuleIn,
    RoutingRuleOut,
    RunOut,
    RunPage,
)

router = Router(tags=["channels"])
MAX_UPLOAD = 5 * 1024 * 1024


@router.get("/accounts", response={200: list[AccountOut], **errors(401, 403)})
def list_accounts(request):
    return list(selectors.account_list(actor=request.auth))


@router.post("/accounts", response={201: AccountCreated, **errors(401, 403, 422)})
def create_account(request, payload: AccountIn):
    data = payload.dict(exclude_none=True)
    kind = data.pop("kind", "")
    account, key = services.account_create(actor=request.auth, kind=kind, **data)
    account.api_key = key  # agents: shown this once, stored hashed
    return Status(201, account)


@router.patch(
    "/accounts/{int:account_id}", response={200: AccountOut, **errors(401, 403, 404, 422)}
)
def update_account(request, account_id: int, payload: AccountIn):
    data = payload.dict(exclude_none=True)
    data.pop("kind", None)
    return services.account_update(actor=request.auth, account_id=account_id, data=data)


@router.get("/mappings", response={200: MappingPage, **errors(401, 403, 422)})
def list_mappings(request, channel: str = "", q: str = "",
                  limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100000)):  # fmt: skip
    qs = selectors.mapping_list(actor=request.auth, channel=channel, q=q)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("/mappings", response={201: MappingOut, **errors(401, 403, 422)})
def save_mapping(request, payload: MappingIn):
    return Status(201, services.mapping_save(actor=request.auth, data=payload.dict()))


@router.delete("/mappings/{int:mapping_id}", response={204: None, **errors(401, 403, 404)})
def delete_mapping(request, mapping_id: int):
    services.mapping_delete(actor=request.auth, mapping_id=mapping_id)
    return Status(204, None)


@router.post("/mappings/import", response={200: dict, **errors(401, 403, 422)})
def import_mappings(request, file: File[UploadedFile]):
    services.permissions.require(request.auth, "channels.map_sku")
    if file.size and file.size > MAX_UPLOAD:
        raise services.ValidationFailed({"file": "max 5 MB"})
    n = services.mapping_import(actor=request.auth, filename=file.name or "", content=file.read())
    return {"imported": n}


@router.get("/exceptions", response={200: ExceptionPage, **errors(401, 403, 422)})
def list_exceptions(request, channel: str = "",
                    limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100000)):  # fmt: skip
    qs = selectors.exception_list(actor=request.auth, channel=channel)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post(
    "/exceptions/{exception_id}/map-and-retry",
    response={200: MapRetryOut, **errors(401, 403, 404, 422)},
)
def map_retry(request, exception_id: int, payload: MapRetryIn):
    return services.map_and_retry(
        actor=request.auth, exception_id=exception_id, material=payload.material,
        multiplier=payload.multiplier,
    )  # fmt: skip


@router.post(
    "/exceptions/{exception_id}/route-and-retry",
    response={200: RouteRetryOut, **errors(401, 403, 404, 422)},
)
def route_retry(request, exception_id: int, payload: RouteRetryIn):
    """An address in no sales region: route its province (or only its city) and retry."""
    return services.route_and_retry(actor=request.auth, exception_id=exception_id,
                                    region=payload.region, city_only=payload.city_only)  # fmt: skip


@router.get("/address-regions", response={200: list[AddressRegionOut], **errors(401, 403)})
def list_address_regions(request):
    return list(selectors.address_rule_list(actor=request.auth))


@router.post("/address-regions", response={201: AddressRegionOut, **errors(401, 403, 422)})
def save_address_region(request, payload: AddressRegionIn):
    return Status(201, services.address_rule_save(actor=request.auth, data=payload.dict()))


@router.delete("/address-regions/{int:rule_id}", response={204: None, **errors(401, 403, 404)})
def delete_address_region(request, rule_id: int):
    services.address_rule_delete(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@router.post(
    "/exceptions/{exception_id}/dismiss", response={200: dict, **errors(401, 403, 404, 422)}
)
def dismiss_exception(request, exception_id: int, payload: DismissIn):
    co = services.exception_dismiss(actor=request.auth, exception_id=exception_id,
                                    note=payload.note)  # fmt: skip
    return {"channel_order": co.pk, "state": co.state}


@router.get("/orders", response={200: PoolPage, **errors(401, 403, 422)})
def list_orders(request, account: str = "", channel: str = "", state: str = "", q: str = "",
                since: dt.date | None = None, until: dt.date | None = None,
                limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100000)):  # fmt: skip
    """The channel order pool in the caller's regions (filters: account, channel, state, q)."""
    qs = selectors.order_pool(actor=request.auth, account=account, channel=channel, state=state,
                              q=q[:64], since=since, until=until)  # fmt: skip
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/runs", response={200: RunPage, **errors(401, 403, 422)})
def list_runs(request, account: int | None = None,
              limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100000)):  # fmt: skip
    qs = selectors.run_list(actor=request.auth, account_id=account)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("/accounts/{int:account_id}/sync", response={201: RunOut, **errors(401, 403, 404)})
def trigger_sync(request, account_id: int):
    return Status(201, services.sync_now(actor=request.auth, account_id=account_id))


# --- pushes from the platforms: no session or token, the platform's signature instead -------------


@router.post("/push/taobao", auth=None, response={200: dict, **errors(401, 403, 422)})
def push_taobao(request):
    services.push_taobao({k: v for k, v in request.POST.items()})
    return {"ok": True}


@router.post("/push/douyin", auth=None, response={200: dict, **errors(401, 403, 422)})
def push_douyin(request):
    headers = {"app-id": request.headers.get("app-id", ""),
               "event-sign": request.headers.get("event-sign", "")}  # fmt: skip
    services.push_douyin(headers, request.body)
    return {"code": 0, "msg": "success"}


@router.get("/carriers", response={200: list[CarrierOut], **errors(401, 403, 422)})
def list_carriers(request, channel: str = ""):
    return list(selectors.carrier_list(actor=request.auth, channel=channel))


@router.post(
    "/accounts/{int:account_id}/carriers/refresh",
    response={200: CarrierRefreshOut, **errors(401, 403, 404, 409)},
)
def refresh_carriers(request, account_id: int):
    """Read the platform's carrier list through this account (new codes added, names updated)."""
    return services.carriers_refresh(actor=request.auth, account_id=account_id)


@router.get("/carrier-mappings", response={200: list[CarrierMappingOut], **errors(401, 403)})
def list_carrier_mappings(request):
    return list(selectors.carrier_mapping_list(actor=request.auth))


@router.post("/carrier-mappings", response={201: CarrierMappingOut, **errors(401, 403, 422)})
def save_carrier_mapping(request, payload: CarrierMappingIn):
    """Map a carrier name to a platform code; reports held for that name go out."""
    saved = services.carrier_mapping_save(actor=request.auth, data=payload.dict())
    return Status(201, saved["mapping"])


@router.delete("/carrier-mappings/{int:mapping_id}", response={204: None, **errors(401, 403, 404)})
def delete_carrier_mapping(request, mapping_id: int):
    services.carrier_mapping_delete(actor=request.auth, mapping_id=mapping_id)
    return Status(204, None)


@router.get("/routing-rules", response={200: list[RoutingRuleOut], **errors(401, 403)})
def list_routing_rules(request):
    """The routing rules in the order conversion tries them (first match wins)."""
    return list(selectors.routing_rule_list(actor=request.auth))


@router.post("/routing-rules", response={201: RoutingRuleOut, **errors(401, 403, 422)})
def create_routing_rule(request, payload: RoutingRuleIn):
    return Status(201, services.routing_rule_save(actor=request.auth, data=payload.dict()))


@router.put(
    "/routing-rules/{int:rule_id}", response={200: RoutingRuleOut, **errors(401, 403, 404, 422)}
)
def update_routing_rule(request, rule_id: int, payload: RoutingRuleIn):
    return services.routing_rule_save(actor=request.auth, data=payload.dict(), rule_id=rule_id)


@router.delete("/routing-rules/{int:rule_id}", response={204: None, **errors(401, 403, 404)})
def delete_routing_rule(request, rule_id: int):
    services.routing_rule_delete(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@router.post("/agent/orders", auth=None, response={200: dict, **errors(401, 422)})
def agent_orders(request, file: File[UploadedFile]):
    """An agent's order sheet, authenticated by the agent's API key (header ``X-Agent-Key``)."""
    account = services.agent_for_key(request.headers.get("X-Agent-Key", ""))
    if account is None:
        raise Unauthenticated()
    if file.size and file.size > MAX_UPLOAD:
        raise services.ValidationFailed({"file": "max 5 MB"})
    return services.agent_upload(account=account, filename=file.name or "", content=file.read())


__all__ = ["JsonResponse", "router"]
