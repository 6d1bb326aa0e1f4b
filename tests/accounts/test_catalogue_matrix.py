"""The permission matrix over the role catalogue: every role of the role table (the ten shipped
ones and any created as data) × every action row, judged from the role's definition. A property
test then draws random role definitions and checks the API answers as the definition says, with
refusals changing nothing."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_order, make_user
from tests.support.matrix import (
    ACTION_ROWS,
    catalogue_roles,
    expected_status,
    role_definition,
)
from zhongshu.accounts import permissions, role_services
from zhongshu.accounts.models import RoleDefinition
from zhongshu.accounts.services import token_create_for
from zhongshu.core.errors import ValidationFailed
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _api(user):
    raw, _t = token_create_for(actor=user, user_id=user.pk, name="m", days=1)
    return {"Authorization": f"Bearer {raw}"}


def _fingerprint():
    return list(Order.objects.order_by("pk").values_list("pk", "version", "note", "tax_rate"))


def _send(headers, method, path, body=None):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(Client(), method)(path, **kwargs)


def test_every_catalogue_role_answers_as_its_definition_says():
    admin = make_user("admin")
    role_services.role_create(
        actor=admin,
        code="clerk",
        data={
            "name": "跟单员",
            "actions": ["orders.view", "customers.view"],
            "scope": "all_regions",
        },
    )
    roles = catalogue_roles()
    assert "clerk" in roles and "warehouse" in roles
    for code in roles:
        user = make_user("sales", username=f"m-{code}")
        role_services_user_roles(admin, user, code)
        definition = role_definition(code)
        for action in permissions.ACTION_ROLES:  # the policy says what the catalogue says
            assert permissions.can(user, action) is (action in definition["actions"]), (
                code,
                action,
            )
        headers = _api(user)
        for action, method, path, body, ok, refused in ACTION_ROWS:
            before = _fingerprint()
            response = _send(headers, method, path, body)
            assert response.status_code == expected_status(definition, action, ok, refused), (
                code,
                path,
            )
            assert _fingerprint() == before


def role_services_user_roles(admin, user, code):
    from zhongshu.accounts.services import user_update

    user_update(actor=admin, user_id=user.pk, display_name=user.username, roles=[code])
    permissions.forget_cached(user)


ACTIONS = sorted(
    {row[0] for row in ACTION_ROWS}
    | {"orders.edit", "orders.edit_others", "orders.edit_price", "orders.edit_schedule"}
)
DEFINITIONS = st.fixed_dictionaries(
    {
        "actions": st.lists(st.sampled_from(ACTIONS), unique=True),
        "scope": st.sampled_from(["all_regions", "own_regions", "own_records", "none"]),
        "price": st.sampled_from(["hidden", "read", "edit"]),
    }
)
EDITS = [
    ("note", {"note": "改"}, None),
    ("tax_rate", {"tax_rate": "6"}, "orders.edit_price"),
    ("priority", {"priority": "critical"}, "orders.edit_schedule"),
]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(definition=DEFINITIONS)
def test_random_role_definitions_are_enforced_as_defined(definition, django_db_blocker):
    from django.db import transaction

    with transaction.atomic():
        _check_definition(definition)
        transaction.set_rollback(True)


def _check_definition(definition):
    admin = make_user("admin")
    fields = {"price": definition["price"], "schedule": "read", "lines": "read"}
    actions = [a for a in definition["actions"] if a not in ("orders.edit_price",)]
    data = {"name": "随机", "actions": actions, "fields": fields, "scope": definition["scope"]}
    needs = {role_services.NEEDS[a] for a in actions if a in role_services.NEEDS}
    if not needs <= set(actions):  # refused as a whole, nothing stored
        with pytest.raises(ValidationFailed):
            role_services.role_create(actor=admin, code="random_role", data=data)
        assert not RoleDefinition.objects.filter(code="random_role").exists()
        return
    role = role_services.role_create(actor=admin, code="random_role", data=data)
    owner = make_user("sales", regions=("华东",))
    order = make_order(actor=owner)
    user = make_user("sales")
    role_services_user_roles(admin, user, "random_role")
    held = set(role["actions"])
    headers = _api(user)
    for action, method, path, body, ok, refused in ACTION_ROWS:
        before = _fingerprint()
        response = _send(headers, method, path, body)
        assert response.status_code == (ok if action in held else refused), (path, held)
        assert _fingerprint() == before
    sees = "orders.view" in held and definition["scope"] == "all_regions"
    detail = _send(headers, "get", f"/api/v1/orders/{order.pk}")
    assert detail.status_code == (200 if sees else 403 if "orders.view" not in held else 404)
    if sees:
        hidden = detail.json()["tax_rate"] is None
        assert hidden is (definition["price"] == "hidden")
    for _name, change, needs in EDITS:
        order.refresh_from_db()
        before = _fingerprint()
        body = {"version": order.version, **change}
        response = _send(headers, "patch", f"/api/v1/orders/{order.pk}", body)
        allowed = sees and {"orders.edit", "orders.edit_others"} <= held
        allowed = allowed and (needs is None or needs in held)
        assert (response.status_code == 200) is allowed, (change, held, response.content[:200])
        if not allowed:
            assert _fingerprint() == before
