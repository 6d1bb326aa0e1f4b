"""The registries the apps fill from their ``registrations`` modules: navigation entries, order-page
panels, audited models, the approvals object rule and the command that moved to accounts."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import get_commands

import zhongshu.web
from zhongshu.accounts import permissions
from zhongshu.core import auditing, navigation
from zhongshu.orders import panels

LAYOUT = Path(zhongshu.web.__file__).parent / "templates" / "web" / "base.html"


def test_every_entry_the_layout_shows_is_registered_by_an_app():
    shown = set(re.findall(r"\bnav\.(\w+)", LAYOUT.read_text()))
    registered = {e.key for e in navigation.nav_entries()}
    assert shown, "the layout shows no navigation entry"
    assert shown == registered


def test_navigation_entries_name_only_known_actions():
    for entry in navigation.nav_entries():
        unknown = [a for a in entry.actions if a not in permissions.ACTION_ROLES]
        assert not unknown, (entry.key, unknown)


def test_an_entry_without_actions_is_refused():
    with pytest.raises(ValueError):
        navigation.nav_entry("nothing")


def test_order_panels_come_from_the_plug_ins_in_app_order():
    owners = [panel.__module__ for panel in panels.registered()]
    assert owners == [
        "zhongshu.inventory.panels",
        "zhongshu.production.views",
        "zhongshu.quality.views",
        "zhongshu.rules.views",
        "zhongshu.approvals.views",
        "zhongshu.documents.panels",
    ]


def test_audited_models_keep_their_positions_and_kinds():
    found = [(s.position, s.model._meta.label) for s in auditing.sources()]
    assert found == [
        (0, "orders.Order"),
        (1, "orders.OrderLine"),
        (2, "customers.Customer"),
        (3, "catalog.Material"),
        (4, "inventory.StockLevel"),
        (5, "inventory.Warehouse"),
        (6, "auth.User"),
        (7, "accounts.Profile"),
        (8, "accounts.Region"),
        (14, "planning.Supplier"),
        (15, "documents.CompanyProfile"),
        (16, "channels.AddressRegion"),
        (17, "channels.RoutingRule"),
        (21, "production.Task"),
    ]
    assert [k for k, _label in auditing.kinds()] == [
        "order", "line", "customer", "material", "stock", "user", "supplier", "company",
        "region", "routing_rule", "task",
    ]  # fmt: skip


def test_an_audit_position_is_not_taken_twice_nor_reserved():
    customer = apps.get_model("customers", "Customer")
    common = {"kind": "x", "kind_label": "x", "code_lookup": "code", "label": str}
    with pytest.raises(ValueError):
        auditing.audited(customer, position=0, **common)
    with pytest.raises(ValueError):
        auditing.audited(customer, position=auditing.RESERVED[0], **common)


def test_approvals_registers_who_may_decide():
    rule = permissions.OBJECT_RULES["approvals.decide"]
    assert rule.__module__ == "zhongshu.approvals.registrations"


def test_an_object_rule_for_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        permissions.object_rule("no.such.action", lambda user, obj: True)


def test_adduser_is_an_accounts_command():
    assert get_commands()["adduser"] == "zhongshu.accounts"
