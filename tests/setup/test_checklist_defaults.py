"""The approval-flow and rules steps on a fresh install: the shipped manager flow for rush
orders and the shipped rules count (a factory that keeps the defaults has done these steps);
switched off, they no longer do."""

import pytest

from tests.factories import make_user
from zhongshu.approvals import services as approvals
from zhongshu.approvals.defaults import RUSH_FLOW_KEY
from zhongshu.approvals.models import Flow
from zhongshu.rules.models import Rule

pytestmark = [pytest.mark.django_db, pytest.mark.shipped_flow, pytest.mark.default_rules]


@pytest.fixture
def api(api_as):
    return api_as(make_user("admin", username="golive_admin"))


def _steps(api) -> dict:
    return {s["key"]: s for s in api.get("/api/v1/setup").json()["steps"]}


def test_the_shipped_flows_count_until_they_are_switched_off(api):
    shipped = Flow.objects.get(builtin_key=RUSH_FLOW_KEY)
    assert shipped.name == "加急订单审批（经理）"
    # the rush flow and the purchase-order amount flow
    step = _steps(api)["approval_flows"]
    assert (step["count"], step["done"], step["url"]) == (2, True, "/approvals/flows/")
    # a flow the admin adds switched off does not count; one switched on does
    admin = make_user("admin", username="flow_admin")
    extra = approvals.flow_create(actor=admin, data={
        "name": "取消审批", "kinds": ["cancel_after_confirm"], "active": False,
        "steps": [{"name": "经理", "role": "manager"}],
    })  # fmt: skip
    assert _steps(api)["approval_flows"]["count"] == 2
    Flow.objects.filter(pk=extra.pk).update(active=True)
    assert _steps(api)["approval_flows"]["count"] == 3
    Flow.objects.update(active=False)
    step = _steps(api)["approval_flows"]
    assert (step["count"], step["done"]) == (0, False)


def test_the_enabled_rules_count_the_shipped_ones_included(api):
    shipped = list(Rule.objects.exclude(builtin_key="").filter(enabled=True))
    assert shipped  # the install's rules are on
    step = _steps(api)["rules"]
    assert (step["count"], step["done"]) == (len(shipped), True)
    Rule.objects.filter(pk=shipped[0].pk).update(enabled=False)
    assert _steps(api)["rules"]["count"] == len(shipped) - 1
    Rule.objects.update(enabled=False)
    step = _steps(api)["rules"]
    assert (step["count"], step["done"]) == (0, False)


def test_a_step_nobody_holds_the_role_of_is_named(api):
    # only administrators so far: the shipped flows' manager steps go to the deputy
    detail = _steps(api)["approval_flows"]["detail"]
    assert (
        detail == "这些审批步骤要求的角色目前没有在用用户担任（将改由代理人审批）："
        "加急订单审批（经理） · 经理审批、采购订单金额审批 · 经理审批。"
    )
    manager = make_user("manager", username="golive_manager")
    assert _steps(api)["approval_flows"]["detail"] == ""
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert _steps(api)["approval_flows"]["detail"] == detail
