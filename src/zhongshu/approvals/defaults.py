"""The approval flow the product ships (SPEC §6): urgent and critical orders — and any order due
sooner than its production lead time — wait for a manager's approval before they are confirmed
(an administrator may step in after 4 hours); and a purchase order whose total (net + tax) is
above ¥50,000 waits for a manager's approval before its goods may be received (the planning app
holds it, ``planning.po_approval``).
Installed by data migrations (zs_approvals 0002 and 0003), active, editable and switchable off like any
flow; ``install`` leaves the flow alone once it exists (the factory may have changed it)."""

from typing import Any

RUSH_FLOW_KEY = "rush_manager"
PURCHASE_FLOW_KEY = "purchase_amount_manager"
PURCHASE_THRESHOLD = "50000.00"

DEFAULT_FLOWS: list[dict[str, Any]] = [
    {
        "builtin_key": RUSH_FLOW_KEY,
        "name": "加急订单审批（经理）",
        "kinds": ["rush"],
        # after 4 hours without a decision an administrator may decide in the manager's place
        "steps": [
            {
                "position": 1,
                "name": "经理审批",
                "role": "manager",
                "time_limit_hours": 4,
                "deputy_role": "admin",
            },
        ],
    },
    {
        "builtin_key": PURCHASE_FLOW_KEY,
        "name": "采购订单金额审批",
        "kinds": ["purchase_amount"],
        "amount_threshold": PURCHASE_THRESHOLD,
        "steps": [
            {
                "position": 1,
                "name": "经理审批",
                "role": "manager",
                "time_limit_hours": 24,
                "deputy_role": "admin",
            },
        ],
    },
]


def install(flow_model, step_model) -> None:
    """Create each shipped flow that does not exist yet (models passed in: a migration gives
    its historical ones)."""
    for spec in DEFAULT_FLOWS:
        if flow_model.objects.filter(builtin_key=spec["builtin_key"]).exists():
            continue
        flow = flow_model.objects.create(
            builtin_key=spec["builtin_key"],
            name=spec["name"],
            kinds=spec["kinds"],
            amount_threshold=spec.get("amount_threshold"),
            active=True,
        )
        for s in spec["steps"]:
            step_model.objects.create(flow=flow, **s)
