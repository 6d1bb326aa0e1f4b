"""The object rules that used to name roles in code are catalogue actions and scopes now: a role
made as data gains or loses them by ticking, and the shipped roles keep what they had (their
matrices: tests/orders/test_transition_matrix.py, tests/production/…, tests/channels/…)."""

from types import SimpleNamespace

import pytest

from tests.factories import make_order, make_user
from zhongshu.accounts import catalogue, permissions, role_services
from zhongshu.accounts.services import user_update
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db

NEW_ACTIONS = {
    "orders.cancel_any": {"planner", "manager", "admin"},
    "production.all_tasks": {"planner", "supervisor", "manager", "admin", "qc"},
    "production.work_any": {"supervisor", "admin"},
    "followups.view_all": {"admin", "manager"},
    "imports.view_all": {"admin"},
    "approvals.act_for_others": {"admin"},
    "customers.edit_contact": {"sales", "admin"},
    "materials.edit_cost": {"planner", "admin"},
}


def _role(code, actions, scope="all_regions", copy_from=None, regions=()):
    admin = make_user("admin")
    data = {"name": code, "scope": scope}
    if actions is not None:
        data["actions"] = actions
    role_services.role_create(actor=admin, code=code, data=data, copy_from=copy_from)
    user = make_user("sales", username=f"u-{code}", regions=regions)
    user_update(
        actor=admin, user_id=user.pk, display_name=code, roles=[code], regions=list(regions)
    )
    permissions.forget_cached(user)
    return user


def test_the_new_actions_are_in_the_catalogue_with_chinese_labels():
    labels = {e.code: e.label for e in catalogue.actions()}
    assert labels["orders.cancel_any"] == "订单 · 取消任何订单（含已确认的和他人的）"
    assert labels["production.all_tasks"] == "生产 · 查看全部生产任务"
    for action in NEW_ACTIONS:
        assert not any(c.isascii() and c.isalpha() for c in labels[action]), labels[action]


@pytest.mark.parametrize("action", sorted(NEW_ACTIONS))
def test_each_shipped_role_holds_them_as_the_code_used_to_decide(action):
    for role in permissions.DEFAULT_SCOPES:
        user = make_user(role, username=f"{role}-{action}")
        assert permissions.can(user, action) is (role in NEW_ACTIONS[action]), (role, action)


def test_cancelling_a_confirmed_order_follows_orders_cancel_any(api_as):
    sales = make_user("sales", regions=("华东",))
    order = make_order(actor=sales)
    Order.objects.filter(pk=order.pk).update(status="confirmed")
    admin = make_user("admin")
    narrow = _role("narrow_planner", None, copy_from="planner")
    # the planner's copy without cancel_any: a confirmed order of someone else is refused
    held = role_services.role_get(actor=admin, code="narrow_planner")["actions"]
    actions = sorted(set(held) - {"orders.cancel_any"})
    role_services.role_update(actor=admin, code="narrow_planner", data={"actions": actions})
    permissions.forget_cached(narrow)
    body = {"action": "cancel", "note": "客户取消"}
    response = api_as(narrow).post(f"/api/v1/orders/{order.pk}/transitions", body)
    assert response.status_code == 403, response.content
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    # a role made from nothing that ticks it cancels it
    wide = _role("canceller", ["orders.view", "orders.cancel", "orders.cancel_any"])
    response = api_as(wide).post(f"/api/v1/orders/{order.pk}/transitions", body)
    assert response.status_code == 200, response.content
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_tasks_follow_production_all_tasks_and_work_any():
    own = _role("line_worker", ["production.view", "production.work"], scope="own_lines")
    everyone = _role(
        "line_lead",
        ["production.view", "production.work", "production.all_tasks", "production.work_any"],
        scope="production_stages",
    )
    assert permissions.task_scope_q(own) is not None
    assert permissions.task_scope_q(everyone) is None
    others = SimpleNamespace(owner_id=everyone.pk + own.pk + 1, work_center_id=None)
    assert permissions.can(own, "production.work", others) is False
    assert permissions.can(everyone, "production.work", others) is True


def test_followups_follow_view_all():
    task = SimpleNamespace(assignee_id=None, assignee_role="purchasing", created_by_id=None)
    mine = _role("follower", ["followups.view"])
    boss = _role("follow_lead", ["followups.view", "followups.view_all"])
    assert permissions.can(mine, "followups.view", task) is False
    assert permissions.can(boss, "followups.view", task) is True


def test_channel_orders_follow_the_scope():
    from zhongshu.channels.models import ChannelOrder

    qs = ChannelOrder.objects.all()
    everywhere = _role("chan_all", ["channels.view"], scope="all_regions")
    regional = _role("chan_east", ["channels.view"], scope="own_regions", regions=("华东",))
    nowhere = _role("chan_none", ["channels.view"], scope="qc_stages")
    assert permissions.scope_channel_orders(everywhere, qs) is qs
    assert "default_region_id" in str(permissions.scope_channel_orders(regional, qs).query)
    assert not permissions.scope_channel_orders(nowhere, qs).exists()


def test_import_batches_follow_view_all():
    from zhongshu.imports.models import ImportBatch
    from zhongshu.imports.selectors import batch_list

    owner = make_user("admin")
    ImportBatch.objects.create(user=owner, kind="customers", original_name="c.xlsx", sha256="0")
    reader = _role("import_reader", ["imports.view_all"])
    mine = _role("import_own", ["imports.customers", "customers.view"])
    assert batch_list(actor=reader).count() == 1
    assert batch_list(actor=mine).count() == 0
