"""Custom fields of orders as condition fields (``cf.<key>``): the catalogue, validation, the same
answer from SQL (scans) and Python (events) for every type — with and without values — rules
firing on them, and fields a rule uses being kept from deletion and type changes."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_order, make_user
from zhongshu.core.errors import ValidationFailed
from zhongshu.customfields import query as cf_query
from zhongshu.customfields import services as cf_services
from zhongshu.customfields.exceptions import FieldInUse
from zhongshu.customfields.models import FieldDefinition
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition
from zhongshu.rules import compiler, services
from zhongshu.rules.models import OrderTag

from .conftest import both, check, py_ids, sql_ids

pytestmark = pytest.mark.usefixtures("no_default_rules")

CHOICES = [
    {"value": "anodized", "label_zh": "阳极氧化", "label_en": "Anodized"},
    {"value": "plated", "label_zh": "电镀", "label_en": "Plated"},
    {"value": "painted", "label_zh": "喷漆", "label_en": "Painted"},
]
# key → (type, extra definition data)
FIELDS = {
    "drawing": ("text", {}),
    "batch": ("number", {}),
    "thickness": ("decimal", {"decimal_places": 2}),
    "inspect_on": ("date", {}),
    "surface": ("choice", {"choices": CHOICES}),
    "finish": ("multi", {"choices": CHOICES}),
    "sample_ok": ("bool", {}),
    "inspector": ("user", {}),
    "drawing_file": ("file", {}),
}


@pytest.fixture
def admin(db):
    return make_user("admin", username="cf_admin")


@pytest.fixture
def define(admin):
    def make(key, ftype, **data):
        return cf_services.field_create(
            actor=admin, entity="order", key=key, type=ftype,
            label_zh=data.pop("label_zh", f"字段{key}"),
            label_en=data.pop("label_en", f"Field {key}"), **data,
        )  # fmt: skip

    return make


@pytest.fixture
def all_types(define):
    return {key: define(key, ftype, **dict(data)) for key, (ftype, data) in FIELDS.items()}


def set_custom(order, **values) -> None:
    """Custom values stored the way the custom-field services store them."""
    Order.objects.filter(pk=order.pk).update(custom=values)


def leaf(key, op, value):
    return {"field": f"cf.{key}", "op": op, "value": value}


# --- catalogue and validation ---------------------------------------------------------------------


def test_the_catalogue_lists_the_active_order_fields_with_their_types(all_types, define, admin):
    # given a deleted order field and a customer field besides the nine order fields
    define("old_no", "text")
    cf_services.field_delete(actor=admin, field_id=FieldDefinition.objects.get(key="old_no").pk)
    cf_services.field_create(
        actor=admin, entity="customer", key="vat_no", type="text", label_zh="税号", label_en="VAT"
    )
    # when the catalogue is read
    by_name = {f["name"]: f for f in compiler.catalogue()}
    # then it has the built-in fields and exactly the active order fields
    custom = {n for n in by_name if n.startswith("cf.")}
    assert custom == {f"cf.{k}" for k in FIELDS}
    assert set(by_name) - custom == set(compiler.FIELDS)

    def ops(name):
        return [o["op"] for o in by_name[name]["operators"]]

    assert by_name["cf.drawing"]["type"] == "text" and "contains" in ops("cf.drawing")
    assert by_name["cf.batch"]["type"] == "number" and by_name["cf.batch"]["integer"] is True
    assert by_name["cf.thickness"]["integer"] is False and "is_null" in ops("cf.thickness")
    assert by_name["cf.inspect_on"]["type"] == "date"
    assert by_name["cf.surface"]["type"] == "choice"
    assert [c["value"] for c in by_name["cf.surface"]["choices"]] == [
        "anodized", "plated", "painted"
    ]  # fmt: skip
    assert by_name["cf.finish"]["type"] == "multi" and ops("cf.finish") == ["contains", "is_null"]
    assert ops("cf.sample_ok") == ["eq", "ne", "is_null"]
    assert by_name["cf.inspector"]["integer"] is True
    assert ops("cf.inspector") == ["eq", "ne", "in", "not_in", "is_null"]
    assert ops("cf.drawing_file") == ["is_null"]


def test_labels_and_choices_follow_the_active_language(all_types):
    with translation.override("zh-hans"):
        zh = {f["name"]: f for f in compiler.catalogue()}
    en = {f["name"]: f for f in compiler.catalogue()}
    assert (
        zh["cf.surface"]["label"] == "字段surface" and en["cf.surface"]["label"] == "Field surface"
    )
    assert zh["cf.surface"]["choices"][1]["label"] == "电镀"
    assert en["cf.surface"]["choices"][1]["label"] == "Plated"
    assert zh["cf.surface"]["operators"][0]["label"] == "等于"


def test_the_editor_page_and_the_api_offer_the_custom_fields(all_types, admin, planner, api_as):
    import json
    import re

    from django.test import Client

    # the editor page carries them in its catalogue, labelled in the page's language (Chinese)
    client = Client()
    client.force_login(admin)
    page = client.get("/rules/new/").content.decode()
    found = re.search(r'<script id="rule-catalogue" type="application/json">(.*?)</script>', page)
    catalogue = {f["name"]: f for f in json.loads(found.group(1))["fields"]}
    assert catalogue["cf.surface"]["label"] == "字段surface"
    assert catalogue["cf.surface"]["choices"][0]["label"] == "阳极氧化"
    # and so does GET /api/v1/rules/fields
    r = api_as(planner).get("/api/v1/rules/fields")
    assert r.status_code == 200
    fields = {f["name"]: f for f in r.json()}
    assert {f"cf.{k}" for k in FIELDS} <= set(fields)
    assert fields["cf.finish"]["type"] == "multi" and fields["cf.finish"]["custom"] is True
    assert fields["priority"]["custom"] is False


def test_a_field_hidden_from_a_role_is_unknown_to_it(define, planner, admin):
    # given a field only administrators see
    define("cost_code", "text", view_roles=["admin"])
    # then the planner's catalogue does not have it, the administrator's does
    assert "cf.cost_code" not in {f["name"] for f in compiler.catalogue(actor=planner)}
    assert "cf.cost_code" in {f["name"] for f in compiler.catalogue(actor=admin)}
    # and a dry run on it by the planner is refused as an unknown field (no oracle on values)
    with pytest.raises(ValidationFailed) as exc:
        services.dry_run(actor=planner, condition=leaf("cost_code", "eq", "X"))
    assert exc.value.errors[0]["field"] == "condition.field"
    assert "Unknown field cf.cost_code" in exc.value.errors[0]["message"]


def test_conditions_on_custom_fields_are_validated_like_built_in_ones(all_types, define, admin):
    define("gone", "text")
    cf_services.field_delete(actor=admin, field_id=FieldDefinition.objects.get(key="gone").pk)
    tree = {"all": [
        leaf("nope", "eq", "x"),                 # no such field
        leaf("gone", "eq", "x"),                 # deleted
        leaf("batch", "eq", "1.5"),              # a whole number is needed
        leaf("thickness", "contains", "1"),      # operator does not apply
        leaf("surface", "in", ["plated", "gold"]),  # unknown choice
        leaf("finish", "contains", "gold"),      # unknown choice
        leaf("inspect_on", "lt", "2026-13-01"),  # not a date
        leaf("sample_ok", "eq", "yes"),          # true or false
        leaf("drawing_file", "eq", "a.pdf"),     # only "is empty"
        leaf("inspector", "gt", 3),              # users are compared for equality only
    ]}  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        check(tree)
    assert [e["field"] for e in exc.value.errors] == [
        "condition.all[0].field", "condition.all[1].field", "condition.all[2].value",
        "condition.all[3].op", "condition.all[4].value", "condition.all[5].value",
        "condition.all[6].value", "condition.all[7].value", "condition.all[8].op",
        "condition.all[9].op",
    ]  # fmt: skip
    assert "Unknown field cf.nope" in exc.value.errors[0]["message"]
    # and the good ones are normalised to the type's stored form
    assert check({"all": [leaf("thickness", "gte", 1.5), leaf("batch", "in", ["3", 4])]}) == {
        "all": [leaf("thickness", "gte", "1.5"), leaf("batch", "in", [3, 4])]
    }


# --- SQL and Python agree, with and without values ------------------------------------------------


@pytest.fixture
def three(all_types, sales_east, customer_east):
    """Order "a" and "b" with values of every type, "none" with no custom values at all."""
    inspector, other = make_user("warehouse"), make_user("warehouse")
    orders = {n: make_order(actor=sales_east, customer=customer_east) for n in ("a", "b", "none")}
    set_custom(
        orders["a"],
        drawing="DWG-001",
        batch=5,
        thickness="1.50",
        inspect_on="2026-03-01",
        surface="anodized",
        finish=["anodized", "painted"],
        sample_ok=True,
        inspector=inspector.pk,
        drawing_file={"id": 1, "name": "a.pdf"},
    )
    set_custom(orders["b"], drawing="tb-778", batch=12, thickness="12.00",
               inspect_on="2026-05-01", surface="plated", finish=["plated"], sample_ok=False,
               inspector=other.pk)  # fmt: skip
    ids = {n: o.pk for n, o in orders.items()}
    ids["inspector"], ids["other"] = inspector.pk, other.pk
    return ids


def names(three, ids) -> set[str]:
    by_id = {v: k for k, v in three.items() if k in ("a", "b", "none")}
    return {by_id[i] for i in ids if i in by_id}


CASES = [
    # (condition, orders that match) — "none" has no value: only ne / not_in / is_null match it
    (leaf("drawing", "eq", "DWG-001"), {"a"}),
    (leaf("drawing", "ne", "DWG-001"), {"b", "none"}),
    (leaf("drawing", "contains", "dwg"), {"a"}),
    (leaf("drawing", "in", ["tb-778", "X"]), {"b"}),
    (leaf("drawing", "not_in", ["tb-778"]), {"a", "none"}),
    (leaf("drawing", "is_null", True), {"none"}),
    (leaf("batch", "gt", 5), {"b"}),
    (leaf("batch", "lte", 5), {"a"}),
    (leaf("batch", "ne", 5), {"b", "none"}),
    (leaf("batch", "is_null", False), {"a", "b"}),
    (leaf("thickness", "eq", "1.5"), {"a"}),
    (leaf("thickness", "lt", "12"), {"a"}),
    (leaf("thickness", "gte", "12.00"), {"b"}),
    (leaf("thickness", "not_in", ["1.5"]), {"b", "none"}),
    (leaf("inspect_on", "lt", "2026-04-01"), {"a"}),
    (leaf("inspect_on", "gte", "2026-03-01"), {"a", "b"}),
    (leaf("inspect_on", "ne", "2026-03-01"), {"b", "none"}),
    (leaf("surface", "eq", "plated"), {"b"}),
    (leaf("surface", "in", ["plated", "anodized"]), {"a", "b"}),
    (leaf("surface", "is_null", True), {"none"}),
    (leaf("finish", "contains", "painted"), {"a"}),
    (leaf("finish", "contains", "plated"), {"b"}),
    (leaf("finish", "is_null", True), {"none"}),
    (leaf("sample_ok", "eq", True), {"a"}),
    (leaf("sample_ok", "eq", False), {"b"}),
    (leaf("sample_ok", "ne", True), {"b", "none"}),
    (leaf("sample_ok", "is_null", True), {"none"}),
    (leaf("drawing_file", "is_null", True), {"b", "none"}),
    (leaf("drawing_file", "is_null", False), {"a"}),
]


@pytest.mark.parametrize(
    ("tree", "expected"), CASES, ids=[f"{t['field']} {t['op']} {t['value']}" for t, _e in CASES]
)
def test_each_type_matches_the_same_orders_in_sql_and_python(three, tree, expected):
    assert names(three, both(tree)) == expected
    # a "none of" group is the exact complement on both sides — missing values included
    assert names(three, both({"not": tree})) == {"a", "b", "none"} - expected


def test_user_fields_compare_user_ids(three):
    assert names(three, both(leaf("inspector", "eq", three["inspector"]))) == {"a"}
    assert names(three, both(leaf("inspector", "not_in", [three["inspector"]]))) == {"b", "none"}


def test_empty_stored_forms_count_as_no_value(all_types, sales_east, customer_east):
    # given values as an import or an older version may have left them: null, "", []
    order = make_order(actor=sales_east, customer=customer_east)
    set_custom(order, drawing="", finish=[], batch=None, surface="")
    for key in ("drawing", "finish", "batch", "surface"):
        assert both(leaf(key, "is_null", True)) == {order.pk}
    assert both(leaf("drawing", "ne", "x")) == {order.pk}
    assert both(leaf("batch", "ne", 1)) == {order.pk}


def test_a_filterable_field_is_scanned_through_its_expression_index(define):
    # given a filterable number field with its expression index
    defn = define("heat_no", "number", filterable=True)
    cf_services.sync_index(field_id=defn.pk)
    qs = compiler.filter_orders(Order.objects.all(), check(leaf("heat_no", "eq", 7)))
    sql, params = qs.values("pk").query.sql_with_params()
    # then the planner answers the scan from the field's index
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute(f"EXPLAIN {sql}", params)
        else:
            cur.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(col) for row in cur.fetchall() for col in row)
    assert cf_query.index_name(defn) in plan, plan


# --- property: random values, random conditions ---------------------------------------------------

TEXT_VALUES = ["", "DWG-1", "dwg-1", "精工", "a"]
DAY0 = dt.date(2026, 3, 1)


def _stored_st(key, users):
    ftype = FIELDS[key][0]
    return {
        "text": st.sampled_from(TEXT_VALUES),
        "number": st.integers(-3, 3),
        "decimal": st.sampled_from(["0.50", "1.00", "-2.25", "10.00", "3.10"]),
        "date": st.integers(0, 5).map(lambda d: (DAY0 + dt.timedelta(d)).isoformat()),
        "choice": st.sampled_from([c["value"] for c in CHOICES]),
        "multi": st.sets(st.sampled_from([c["value"] for c in CHOICES])).map(
            lambda s: [c["value"] for c in CHOICES if c["value"] in s]
        ),
        "bool": st.booleans(),
        "user": st.sampled_from(users),
        "file": st.sampled_from([{"id": 1, "name": "a.pdf"}, {}]),
    }[ftype]


def _condition_value_st(key, users):
    ftype = FIELDS[key][0]
    return {
        "text": st.sampled_from(["DWG-1", "dwg", "精工", "a", "x"]),
        "number": st.integers(-3, 3),
        "decimal": st.sampled_from(["0.5", "1", "-2.25", "3", "10", "3.1"]),
        "date": st.integers(-1, 6).map(lambda d: (DAY0 + dt.timedelta(d)).isoformat()),
        "choice": st.sampled_from([c["value"] for c in CHOICES]),
        "multi": st.sampled_from([c["value"] for c in CHOICES]),
        "bool": st.booleans(),
        "user": st.sampled_from([*users, 999_999]),
    }[ftype]


def custom_st(users):
    # each field: absent, stored null, or a value of its type
    return st.fixed_dictionaries(
        {},
        optional={
            k: st.one_of(st.none(), _stored_st(k, users), _stored_st(k, users)) for k in FIELDS
        },
    )


@st.composite
def cf_leaf(draw, users):
    key = draw(st.sampled_from(list(FIELDS)))
    ftype = FIELDS[key][0]
    op = draw(st.sampled_from(compiler._CUSTOM_TYPES[ftype][1] or compiler.OPS_BY_TYPE[
        compiler._CUSTOM_TYPES[ftype][0]
    ]))  # fmt: skip
    if op == "is_null":
        value = draw(st.booleans())
    elif op in ("in", "not_in"):
        value = draw(st.lists(_condition_value_st(key, users), min_size=1, max_size=3))
    else:
        value = draw(_condition_value_st(key, users))
    return leaf(key, op, value)


def conditions(users):
    built_in = st.sampled_from(
        [{"field": "priority", "op": "eq", "value": "urgent"},
         {"field": "amount", "op": "gt", "value": 50}]
    )  # fmt: skip
    return st.recursive(
        st.one_of(cf_leaf(users), cf_leaf(users), built_in),
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(lambda c: {"all": c}),
            st.lists(children, max_size=3).map(lambda c: {"any": c}),
            children.map(lambda c: {"not": c}),
        ),
        max_leaves=6,
    )


@pytest.fixture
def pool(all_types, sales_east, customer_east):
    users = [make_user("warehouse").pk, make_user("warehouse").pk]
    return {"sales": sales_east, "customer": customer_east, "users": users}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_and_python_agree_on_random_custom_values(pool, data):
    users = pool["users"]
    customs = data.draw(st.lists(custom_st(users), min_size=1, max_size=6), label="orders")
    tree = data.draw(conditions(users), label="condition")
    with transaction.atomic():
        # given orders with random custom values (some fields absent, some null)
        for i, custom in enumerate(customs):
            Order.objects.create(
                number=f"CF-{i}", customer=pool["customer"], sales_owner=pool["sales"],
                created_by=pool["sales"], due_date=DAY0, custom=custom,
                priority="urgent" if i % 2 else "normal", total_amount=i * 30,
            )  # fmt: skip
        # then the scan's SQL and the event's predicate pick the same orders
        assert sql_ids(tree) == py_ids(tree)
        transaction.set_rollback(True)


# --- rules on custom fields -----------------------------------------------------------------------


def make_rule(admin, condition, *, name="电镀件提醒", triggers=("order.status_changed",), **extra):
    return services.rule_create(
        actor=admin,
        data={"name": name, "triggers": list(triggers), "condition": condition,
              "actions": extra.pop("actions", [{"type": "tag", "tag": "电镀"}]), **extra},
    )  # fmt: skip


def test_a_rule_on_a_custom_field_fires_on_the_event(
    all_types, admin, sales_east, customer_east, django_capture_on_commit_callbacks
):
    # given a rule tagging plated orders when their status changes
    make_rule(admin, leaf("surface", "eq", "plated"))
    plated = make_order(actor=sales_east, customer=customer_east)
    bare = make_order(actor=sales_east, customer=customer_east)
    set_custom(plated, surface="plated")
    # when both are submitted
    with django_capture_on_commit_callbacks(execute=True):
        for order in (plated, bare):
            order_transition(actor=sales_east, order_id=order.pk, action="submit")
    # then only the plated one is tagged
    tagged = set(OrderTag.objects.filter(tag="电镀").values_list("order_id", flat=True))
    assert tagged == {plated.pk}


def test_a_blocking_rule_on_a_custom_field_refuses_the_submission(
    all_types, admin, sales_east, customer_east
):
    from zhongshu.rules.exceptions import RuleBlocked

    make_rule(
        admin, {"all": [leaf("finish", "contains", "painted"), leaf("drawing", "is_null", True)]},
        name="喷漆须附图号", triggers=["order.submitted"],
        actions=[{"type": "block", "message": "喷漆件须填写图号。"}],
    )  # fmt: skip
    order = make_order(actor=sales_east, customer=customer_east)
    set_custom(order, finish=["painted"])
    with pytest.raises(RuleBlocked):
        order_transition(actor=sales_east, order_id=order.pk, action="submit")
    assert Order.objects.get(pk=order.pk).status == "draft"
    # once the drawing number is there, the submission goes through
    set_custom(order, finish=["painted"], drawing="DWG-9")
    assert order_transition(actor=sales_east, order_id=order.pk, action="submit").status != "draft"


def test_a_scheduled_scan_finds_the_orders_with_the_value(
    all_types, admin, sales_east, customer_east
):
    rule = make_rule(admin, leaf("batch", "gte", 10), triggers=["schedule"])
    big = make_order(actor=sales_east, customer=customer_east)
    small = make_order(actor=sales_east, customer=customer_east)
    set_custom(big, batch=12)
    set_custom(small, batch=3)
    assert services.scan_rule(rule) == [big.pk]


def test_a_definition_changed_behind_the_services_back_is_noticed_by_the_next_event(
    define, admin, sales_east, customer_east
):
    # given a rule on a text field, compiled by the engine
    defn = define("lot", "text")
    rule = make_rule(admin, leaf("lot", "eq", "5"), triggers=["order.updated"])
    order = make_order(actor=sales_east, customer=customer_east)
    set_custom(order, lot=5)  # a whole number stored: not the text "5"
    assert services.check_event("order.updated", [order.pk]) == {rule.pk: []}
    # when the field's type is changed without the custom-field services (no usage check)
    defn.type = "number"
    defn.save()
    # then the next event compiles the condition again, as a number comparison
    assert services.check_event("order.updated", [order.pk]) == {rule.pk: [order.pk]}


# --- fields in use --------------------------------------------------------------------------------


def test_a_field_a_rule_uses_cannot_be_deleted_or_change_type(define, admin):
    surface = define("surface", "choice", choices=CHOICES)
    lot = define("lot", "text")
    make_rule(admin, {"any": [leaf("surface", "eq", "plated")]}, name="电镀件提醒")
    make_rule(admin, {"not": leaf("surface", "is_null", True)}, name="表面处理检查", enabled=False)
    # deleting is refused naming both rules (the disabled one too)
    with pytest.raises(FieldInUse) as exc:
        cf_services.field_delete(actor=admin, field_id=surface.pk)
    assert exc.value.details["used_by"] == ["rule «电镀件提醒»", "rule «表面处理检查» (disabled)"]
    assert "rule «电镀件提醒»" in str(exc.value.message)
    # so is a type change
    with pytest.raises(FieldInUse) as exc:
        cf_services.field_update(actor=admin, field_id=surface.pk, data={"type": "text"})
    assert "rule «电镀件提醒»" in exc.value.details["used_by"]
    assert FieldDefinition.objects.get(pk=surface.pk).is_active
    # a field no rule uses is deleted as before
    cf_services.field_delete(actor=admin, field_id=lot.pk)
    assert not FieldDefinition.objects.get(pk=lot.pk).is_active


def test_the_refusal_names_the_rule_in_chinese(define, admin):
    surface = define("surface", "choice", choices=CHOICES)
    make_rule(admin, leaf("surface", "eq", "plated"), name="电镀件提醒")
    with translation.override("zh-hans"), pytest.raises(FieldInUse) as exc:
        cf_services.field_delete(actor=admin, field_id=surface.pk)
    assert exc.value.details["used_by"] == ["规则「电镀件提醒」"]


def test_customer_fields_are_not_order_rule_fields(define, admin):
    # given an order rule on cf.surface and a customer field with the same key
    define("surface", "choice", choices=CHOICES)
    make_rule(admin, leaf("surface", "eq", "plated"))
    vat = cf_services.field_create(
        actor=admin, entity="customer", key="surface", type="text", label_zh="x", label_en="x"
    )
    # then the customer field is free to go: the rule speaks of the order's field
    cf_services.field_delete(actor=admin, field_id=vat.pk)
    assert not FieldDefinition.objects.get(pk=vat.pk).is_active
