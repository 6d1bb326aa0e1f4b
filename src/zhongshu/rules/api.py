from ninja import Router

router = Router(tags=["rules"])
# follow-up tasks created by rules (and by people): /api/v1/tasks/…
tasks_router = Router(tags=["tasks"])
