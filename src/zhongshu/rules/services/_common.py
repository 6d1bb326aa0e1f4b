"""What the rule editing and the engine share: channels, action types, template keys."""

import logging
import re

log = logging.getLogger("zhongshu.rules.services")

# "app": each person through the chat app the factory configured (WeCom/DingTalk/Feishu internal
# app), their inbox when no app knows them (notify.services.notify)
CHANNELS = ("wecom", "dingtalk", "feishu", "email", "inapp", "app")
ACTION_TYPES = ("notify", "block", "tag", "route", "followup", "set_priority")
# actions of customer rules (trigger "customer tier changed")
CUSTOMER_ACTION_TYPES = ("owner_followup", "add_to_list")
MAX_ACTIONS = 10
TEMPLATE_KEYS = (
    "number", "customer", "customer_name", "customer_region", "due_date", "days_to_due", "status",
    "priority", "channel", "amount", "shortage_qty", "shortage", "rule",
)  # fmt: skip
CUSTOMER_TEMPLATE_KEYS = (
    "customer", "customer_name", "customer_region", "tier", "previous_tier", "expected_next",
    "rule",
)  # fmt: skip
PLACEHOLDER = re.compile(r"\{(\w+)\}")
