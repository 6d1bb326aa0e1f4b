from ninja import Query, Router, Status

from zhongshu.core.pagination import MAX_OFFSET
from zhongshu.core.schemas import errors

from . import compiler, selectors, services
from .schemas import (
    DryRunIn,
    DryRunOut,
    FieldOut,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    RuleIn,
    RuleOut,
    RulePatch,
)

router = Router(tags=["rules"])
# follow-up tasks created by rules (and by people): /api/v1/tasks/…
tasks_router = Router(tags=["tasks"])


@router.get("/fields", response={200: list[FieldOut], **errors(401, 403)})
def list_fields(request):
    """The field and operator catalogue conditions are built from: the built-in fields and the
    active custom fields of orders you may see (``cf.<key>``)."""
    selectors.rule_list(actor=request.auth)  # permission check: rules.view
    return compiler.catalogue(actor=request.auth)


@router.post("/dry-run", response={200: DryRunOut, **errors(401, 403, 422)})
def dry_run(request, payload: DryRunIn):
    """Which open orders, of those you may see, match the condition now (first 20 and count)."""
    return services.dry_run(actor=request.auth, condition=payload.condition)


@router.get("", response={200: list[RuleOut], **errors(401, 403)})
def list_rules(request):
    return list(selectors.rule_list(actor=request.auth))


@router.post("", response={201: RuleOut, **errors(401, 403, 422)})
def create_rule(request, payload: RuleIn):
    rule = services.rule_create(actor=request.auth, data=payload.model_dump())
    return Status(201, rule)


@router.get("/{int:rule_id}", response={200: RuleOut, **errors(401, 403, 404)})
def get_rule(request, rule_id: int):
    return selectors.rule_get(actor=request.auth, rule_id=rule_id)


@router.patch("/{int:rule_id}", response={200: RuleOut, **errors(401, 403, 404, 422)})
def update_rule(request, rule_id: int, payload: RulePatch):
    data = {k: v for k, v in payload.model_dump().items() if v is not None}
    return services.rule_update(actor=request.auth, rule_id=rule_id, data=data)


@router.delete("/{int:rule_id}", response={204: None, **errors(401, 403, 404)})
def delete_rule(request, rule_id: int):
    services.rule_delete(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@tasks_router.get("", response={200: FollowUpPage, **errors(401, 403, 422)})
def list_tasks(
    request,
    done: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """My follow-up tasks: assigned to me or to one of my roles (open ones unless done=true)."""
    qs = selectors.followup_list(actor=request.auth, done=done)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@tasks_router.post("", response={201: FollowUpOut, **errors(401, 403, 422)})
def create_task(request, payload: FollowUpIn):
    task = services.followup_create(actor=request.auth, **payload.model_dump())
    return Status(201, task)


@tasks_router.post("/{task_id}/done", response={200: FollowUpOut, **errors(401, 403, 404)})
def complete_task(request, task_id: int):
    return services.followup_done(actor=request.auth, followup_id=task_id)
