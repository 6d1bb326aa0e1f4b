"""Defining fields: what is refused and why, choice migration with confirmation, deletion that
keeps history, and the expression index that filters and sorts use."""

import pytest
from django.db import connection

from tests.factories import CustomerFactory, make_order, make_user
from zhongshu.core.errors import PermissionDenied, ValidationFailed
from zhongshu.customfields import query, services
from zhongshu.customfields.exceptions import FieldInUse
from zhongshu.customfields.models import FieldDefinition
from zhongshu.customfields.values import clean_one
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def admin(east):
    return make_user("admin", regions=("华东",))


@pytest.fixture
def customer(east):
    return CustomerFactory(code="C1", region=east)


def test_only_administrators_define_fields(sales_east):
    with pytest.raises(PermissionDenied):
        services.field_create(actor=sales_east, entity="order", key="x", label_zh="X")
    assert not FieldDefinition.objects.exists()


def test_every_problem_of_a_definition_is_reported_at_once(admin):
    with pytest.raises(ValidationFailed) as exc:
        services.field_create(
            actor=admin, entity="order", key="9bad", type="choice", label_zh="", label_en="",
            view_roles=["pope"], decimal_places=9,
        )  # fmt: skip
    fields = {e["field"] for e in exc.value.errors}
    assert {"key", "label_zh", "choices", "view_roles", "decimal_places"} <= fields


def test_a_key_is_never_reused_even_after_deletion(admin):
    defn = services.field_create(actor=admin, entity="order", key="drawing", label_zh="图号")
    services.field_delete(actor=admin, field_id=defn.pk)
    with pytest.raises(ValidationFailed):
        services.field_create(actor=admin, entity="order", key="drawing", label_zh="图号2")
    # the same key on another record is fine
    services.field_create(actor=admin, entity="customer", key="drawing", label_zh="图号")


def test_type_change_is_refused_while_values_exist(admin, customer):
    defn = services.field_create(actor=admin, entity="order", key="grade", label_zh="等级")
    services.field_update(actor=admin, field_id=defn.pk, data={"type": "number"})  # unused: fine
    order = make_order(actor=admin, customer=customer, custom={"grade": 3})
    with pytest.raises(FieldInUse) as exc:
        services.field_update(actor=admin, field_id=defn.pk, data={"type": "text"})
    assert len(exc.value.details["used_by"]) == 1  # the stored values; no rule uses it
    assert FieldDefinition.objects.get(pk=defn.pk).type == "number"
    assert Order.objects.get(pk=order.pk).custom == {"grade": 3}


def test_removing_a_used_choice_needs_a_confirmed_migration(admin, customer):
    defn = services.field_create(
        actor=admin, entity="order", key="finish", label_zh="表面处理", type="choice",
        choices=["anodized", "plated", "painted"], filterable=True,
    )  # fmt: skip
    plated = make_order(actor=admin, customer=customer, custom={"finish": "plated"})
    painted = make_order(actor=admin, customer=customer, custom={"finish": "painted"})
    with pytest.raises(FieldInUse) as exc:
        services.field_update(
            actor=admin, field_id=defn.pk, data={"choices": ["anodized", "painted"]}
        )
    assert exc.value.details["in_use"] == {"plated": 1}
    assert len(FieldDefinition.objects.get(pk=defn.pk).choices) == 3
    # removing an unused one needs nothing
    services.field_update(
        actor=admin,
        field_id=defn.pk,
        data={"choices": ["anodized", "painted"]},
        migrate_choices={"plated": "anodized"},
    )
    assert Order.objects.get(pk=plated.pk).custom == {"finish": "anodized"}
    assert Order.objects.get(pk=painted.pk).custom == {"finish": "painted"}
    # a migration target must be a remaining choice
    with pytest.raises(FieldInUse):
        services.field_update(
            actor=admin, field_id=defn.pk, data={"choices": ["anodized"]},
            migrate_choices={"painted": "gold"},
        )  # fmt: skip


def test_deleting_keeps_values_and_history_and_restore_brings_them_back(admin, customer, api_as):
    defn = services.field_create(actor=admin, entity="order", key="po", label_zh="客户PO号")
    order = make_order(actor=admin, customer=customer, custom={"po": "PO-7"})
    services.field_delete(actor=admin, field_id=defn.pk)
    api = api_as(admin)
    assert api.get(f"/api/v1/orders/{order.pk}").json()["custom"] == {}
    assert Order.objects.get(pk=order.pk).custom == {"po": "PO-7"}
    assert FieldDefinition.history.filter(id=defn.pk).count() == 2
    # editing the order meanwhile keeps the value of the deleted field
    r = api.patch(f"/api/v1/orders/{order.pk}", {"version": order.version, "note": "n"})
    assert r.status_code == 200
    services.field_restore(actor=admin, field_id=defn.pk)
    assert api.get(f"/api/v1/orders/{order.pk}").json()["custom"] == {"po": "PO-7"}


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.parametrize(
    "ftype, value", [("text", "A-1"), ("decimal", "2.5"), ("date", "2026-01-02")]
)
def test_filterable_fields_filter_and_sort_through_their_index(admin, customer, ftype, value):
    defn = services.field_create(
        actor=admin, entity="order", key="k", label_zh="K", type=ftype, filterable=True
    )
    services.sync_index(field_id=defn.pk)  # after commit in real life
    defn.refresh_from_db()
    assert defn.indexed
    make_order(actor=admin, customer=customer, custom={"k": value})
    aliases, q = query.condition(defn, "eq", clean_one(defn, value))
    sql, params = Order.objects.alias(**aliases).filter(q).order_by("-id").query.sql_with_params()
    assert "cf_order_k" in _plan(sql, params)
    sorted_qs = query.order_by(Order.objects.all(), defn, descending=False)[:20]
    sql, params = sorted_qs.query.sql_with_params()
    assert "cf_order_k" in _plan(sql, params)


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "orders_order"))


def test_turning_filterable_off_drops_the_index(admin):
    defn = services.field_create(
        actor=admin, entity="order", key="k", label_zh="K", type="number", filterable=True
    )
    services.sync_index(field_id=defn.pk)
    assert "cf_order_k" in _indexes()
    services.field_update(actor=admin, field_id=defn.pk, data={"filterable": False})
    services.sync_index(field_id=defn.pk)
    assert "cf_order_k" not in _indexes()
    assert not FieldDefinition.objects.get(pk=defn.pk).indexed


def test_the_index_command_mends_a_missing_index(admin):
    from io import StringIO

    from django.core.management import call_command

    defn = services.field_create(
        actor=admin, entity="order", key="k", label_zh="K", type="text", filterable=True
    )
    out = StringIO()
    call_command("customfields-index", stdout=out)
    assert "order.k: indexed" in out.getvalue()
    assert query.index_name(defn) in _indexes()


def test_a_field_may_be_shown_to_a_role_an_administrator_created(admin):
    """Roles are data: a custom field's role list names created roles like shipped ones, and a
    retired role can no longer be named."""
    from zhongshu.accounts import permissions
    from zhongshu.accounts.role_services import role_create, role_retire

    role_create(actor=admin, code="merchandiser", data={"name": "跟单员"}, copy_from="sales")
    defn = services.field_create(
        actor=admin, entity="order", key="drawing", label_zh="图号", view_roles=["merchandiser"]
    )
    assert defn.view_roles == ["merchandiser"]
    holder = make_user("merchandiser", regions=("华东",))
    assert permissions.custom_field_visible(holder, defn)
    assert not permissions.custom_field_visible(make_user("qc"), defn)
    role_retire(actor=admin, code="merchandiser")
    with pytest.raises(ValidationFailed) as exc:
        services.field_create(
            actor=admin, entity="order", key="drawing2", label_zh="图号2",
            view_roles=["merchandiser"],
        )  # fmt: skip
    assert {e["field"] for e in exc.value.errors} == {"view_roles"}
