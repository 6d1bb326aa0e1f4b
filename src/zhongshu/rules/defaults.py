"""The rules shipped with the product (SPEC §6), installed by a data migration and editable
afterwards. ``install`` leaves a rule alone once it exists (users may have changed it)."""

APP_REMINDER = {
    "type": "notify",
    "roles": ["supervisor"],
    "users": [],
    "owner": False,
    "channel": "app",
    "template": "订单 {number}（{customer_name}）交期 {due_date}，还剩 {days_to_due} 天，尚未开始生产。",
}

DEFAULT_RULES = [
    {
        "builtin_key": "due_soon_not_started",
        "name": "交期 ≤3天且未开始生产 → 企业微信提醒生产主管",
        "description": "交期三天内、尚未开始生产的订单，每 15 分钟检查一次（状态变化时也检查），"
        "通过企业微信机器人提醒生产主管；同一订单每天只提醒一次。",
        "triggers": ["schedule", "order.status_changed"],
        "interval_minutes": 15,
        "condition": {
            "all": [
                {"field": "days_to_due", "op": "lte", "value": 3},
                {"field": "production_started", "op": "eq", "value": False},
                {"field": "status", "op": "in", "value": ["pending_review", "confirmed", "scheduling"]},
            ]
        },
        "actions": [
            {
                "type": "notify",
                "roles": ["supervisor"],
                "users": [],
                "owner": False,
                "channel": "wecom",
                "template": "订单 {number}（{customer_name}）交期 {due_date}，还剩 {days_to_due} 天，"
                "尚未开始生产。",
            },
            # and each supervisor in person, in the chat app they have open (inbox otherwise)
            APP_REMINDER,
        ],
        "dedupe": "day",
    },
    {
        "builtin_key": "stock_shortage_block",
        "name": "可用库存 < 订单数量 → 锁定提交，生成采购跟进任务",
        "description": "提交时若任一库存类明细的可用库存小于订购数量，或按订单生产明细按物料清单"
        "（含损耗）所需的任一原材料可用量不足，拒绝提交（订单保持草稿），并为采购生成跟进任务。",
        "triggers": ["order.submitted"],
        "interval_minutes": 15,
        "condition": {
            "any": [
                {"field": "stock_shortage", "op": "eq", "value": True},
                {"field": "component_shortage", "op": "eq", "value": True},
            ]
        },
        "actions": [
            {"type": "block", "message": "可用库存不足，订单不能提交；已通知采购跟进。"},
            {
                "type": "followup",
                "assignee_role": "purchasing",
                "due_in_days": 1,
                "title": "采购跟进：订单 {number} 缺料 {shortage}",
            },
        ],
        "dedupe": "day",
    },
    {
        # installed by zs_rules.0004 (the first two by 0002)
        "builtin_key": "tier_at_risk_followup",
        "name": "客户转为流失风险客户 → 客户负责人跟进回访",
        "description": "客户分层重新计算后，客户由其他层级变为“流失风险客户”时，为客户负责人"
        "（最近一张订单的销售负责人；没有时为该区域的销售）生成电话回访任务，"
        "到期日为预计下次下单日（已过则为当天）。",
        "triggers": ["customer.tier_changed"],
        "interval_minutes": 15,
        "condition": {"all": [{"field": "tier", "op": "eq", "value": "at_risk"}]},
        "actions": [
            {
                "type": "owner_followup",
                "due_in_days": 0,
                "title": "电话回访：{customer_name}（{customer}）由{previous_tier}转为{tier}，"
                "预计下单日 {expected_next}",
            }
        ],
        "dedupe": "day",
    },
    {
        # installed by zs_rules.0007
        "builtin_key": "tier_key_trial_list",
        "name": "客户成为高价值稳定客户 → 加入新品试用邀请名单",
        "description": "客户分层计算后，客户（首次分层或由其他层级）成为“高价值稳定客户”时，"
        "加入客户名单“新品试用邀请”；发布新品时，这些客户的负责人会收到邀请试用的任务。"
        "每位客户只加入一次，离开该层级不会移出名单。",
        "triggers": ["customer.tier_changed"],
        "interval_minutes": 15,
        "condition": {"all": [{"field": "tier", "op": "eq", "value": "key"}]},
        "actions": [{"type": "add_to_list", "list": "新品试用邀请"}],
        "dedupe": "once",
    },
]  # fmt: skip


def install(rule_model) -> int:
    """Create the shipped rules that do not exist yet; returns how many were created."""
    created = 0
    for spec in DEFAULT_RULES:
        _obj, was_created = rule_model.objects.get_or_create(
            builtin_key=spec["builtin_key"],
            defaults={k: v for k, v in spec.items() if k != "builtin_key"},
        )
        created += was_created
    return created
