"""The engine keeps the enabled rules compiled per process and reloads them only when the rule
set's version token changed: every write to the rules table changes it, whoever makes it."""

import pytest
from django.db import connection, transaction

from tests.factories import make_order, make_user
from zhongshu.rules import services
from zhongshu.rules.models import OrderTag, Rule, RuleSetVersion

pytestmark = pytest.mark.usefixtures("no_default_rules")

URGENT = {"field": "priority", "op": "eq", "value": "urgent"}


def make_rule(name="急单", tag="急单", **extra):
    return services.rule_create(
        actor=make_user("admin"),
        data={"name": name, "triggers": ["order.created"], "condition": URGENT,
              "actions": [{"type": "tag", "tag": tag}], **extra},
    )  # fmt: skip


def tags_after_create(sales, customer, capture) -> list[str]:
    with capture(execute=True):
        order = make_order(actor=sales, customer=customer, priority="urgent")
    return list(OrderTag.objects.filter(order=order).values_list("tag", flat=True))


def token() -> str:
    return RuleSetVersion.objects.get(pk=1).token


def test_an_unchanged_rule_set_costs_one_small_read_per_event(
    sales_east, customer_east, django_assert_num_queries
):
    # given a rule the engine has already loaded
    make_rule()
    services.enabled_rules()
    # when the next event asks for the rules, only the version token is read
    with django_assert_num_queries(1):
        rules = services.rules_for("order.created")
    assert [r.name for r in rules] == ["急单"]


def test_a_rule_created_after_the_cache_was_loaded_acts_on_the_next_order(
    sales_east, customer_east, django_capture_on_commit_callbacks
):
    # given the engine has loaded the (empty) set of order-created rules
    assert services.rules_for("order.created") == []
    # when a rule is created and an urgent order follows
    make_rule()
    # then the new rule acted on it
    assert tags_after_create(sales_east, customer_east, django_capture_on_commit_callbacks) == [
        "急单"
    ]


def test_a_rule_disabled_behind_the_services_back_is_not_used_any_more(
    sales_east, customer_east, django_capture_on_commit_callbacks
):
    # given a loaded rule
    rule = make_rule()
    assert [r.pk for r in services.rules_for("order.created")] == [rule.pk]
    before = token()
    # when another process switches it off with a plain UPDATE (no model save, no signal)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Rule._meta.db_table} SET enabled = %s WHERE id = %s", [False, rule.pk]
        )
    # then the token moved and the next order is not tagged
    assert token() != before
    assert tags_after_create(sales_east, customer_east, django_capture_on_commit_callbacks) == []


def test_an_edited_condition_and_a_deleted_rule_are_seen_by_the_next_event(
    sales_east, customer_east, django_capture_on_commit_callbacks
):
    admin = make_user("admin")
    rule = make_rule()
    services.enabled_rules()
    # when the rule's action is changed through a queryset update
    Rule.objects.filter(pk=rule.pk).update(actions=[{"type": "tag", "tag": "特急"}])
    assert tags_after_create(sales_east, customer_east, django_capture_on_commit_callbacks) == [
        "特急"
    ]
    # and when it is deleted
    services.rule_delete(actor=admin, rule_id=rule.pk)
    assert services.rules_for("order.created") == []


def test_the_schedulers_claim_does_not_throw_the_cache_away(db):
    # given a scheduled rule and a loaded cache
    make_rule(triggers=["schedule", "order.created"])
    services.enabled_rules()
    before = token()
    # when the periodic scan claims the rule (an UPDATE of last_scan_at only)
    services.scan_due_rules()
    # then the token is unchanged: the event rules stay cached
    assert Rule.objects.filter(last_scan_at__isnull=False).exists()
    assert token() == before


def test_a_rolled_back_change_never_resurrects_a_stale_cache(
    sales_east, customer_east, django_capture_on_commit_callbacks
):
    # given a rule, and a change that is loaded by the engine and then rolled back
    rule = make_rule()
    before = token()
    with pytest.raises(RuntimeError), transaction.atomic():
        Rule.objects.filter(pk=rule.pk).update(actions=[{"type": "tag", "tag": "回滚"}])
        assert services.rules_for("order.created")[0].actions[0]["tag"] == "回滚"
        raise RuntimeError("undo")
    assert token() == before
    # when a different change is made afterwards
    Rule.objects.filter(pk=rule.pk).update(actions=[{"type": "tag", "tag": "新"}])
    # then the engine uses that one, not what it cached inside the rolled-back transaction
    assert tags_after_create(sales_east, customer_east, django_capture_on_commit_callbacks) == [
        "新"
    ]


def test_without_a_version_row_the_rules_are_read_every_time(db, django_assert_num_queries):
    rule = make_rule()
    RuleSetVersion.objects.all().delete()
    services.enabled_rules()
    with django_assert_num_queries(2):  # the token (none), then the rules
        assert [r.pk for r in services.rules_for("order.created")] == [rule.pk]
