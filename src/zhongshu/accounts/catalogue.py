"""The permission catalogue: every action, field group and scope of the policy module
(``permissions``), each with a label and a one-line meaning. Generated from the code tables, so an
action added there appears here at once; its label is built from the area and the verb of its code
(``orders.confirm`` → 订单 · 确认), which is why a new area or verb needs a line below."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from . import permissions

AREAS = {
    "aftersales": _("After-sales"),
    "analytics": _("Analytics"),
    "approvals": _("Approvals"),
    "audit": _("Audit trail"),
    "channels": _("Sales channels"),
    "company": _("Company details"),
    "customers": _("Customers"),
    "customfields": _("Custom fields"),
    "dashboard": _("Dashboard"),
    "documents": _("Printed documents"),
    "finance": _("Finance"),
    "followups": _("Follow-up tasks"),
    "imports": _("Imports"),
    "inventory": _("Inventory"),
    "listviews": _("Saved list views"),
    "materials": _("Materials"),
    "notifications": _("Notifications"),
    "orders": _("Orders"),
    "planning": _("Material planning"),
    "production": _("Production"),
    "qc": _("Quality control"),
    "regions": _("Regions"),
    "rules": _("Rules"),
    "setup": _("Go-live checklist"),
    "shipments": _("Shipments"),
    "users": _("Users"),
}

VERBS = {
    "act_for_others": _("withdraw others' requests and add files to them"),
    "adjust": _("adjust"),
    "all_tasks": _("see every production task"),
    "assign": _("assign tasks"),
    "assign_owner": _("hand orders to another owner"),
    "boms": _("bills of materials"),
    "cancel": _("cancel"),
    "cancel_any": _("cancel any order, also confirmed ones and others'"),
    "complete": _("complete"),
    "configure": _("configure"),
    "confirm": _("confirm"),
    "contacts": _("contacts"),
    "create": _("create"),
    "customers": _("customers"),
    "decide": _("decide"),
    "delete": _("delete"),
    "deliveries": _("deliveries"),
    "edit": _("edit"),
    "edit_contact": _("edit contact details"),
    "edit_cost": _("edit costs"),
    "edit_lines": _("edit lines and quantities"),
    "edit_others": _("edit others' orders"),
    "edit_price": _("edit price terms"),
    "edit_schedule": _("edit priority and due date"),
    "effect": _("measure effects"),
    "erp_master": _("ERP master data"),
    "erp_retry": _("retry ERP postings"),
    "erp_settings": _("ERP settings"),
    "export": _("export"),
    "finish": _("finish"),
    "inbox": _("inbox"),
    "inspect": _("inspect"),
    "leaderboard": _("leaderboard"),
    "manage": _("manage"),
    "manage_plans": _("manage inspection plans"),
    "map_sku": _("map SKUs"),
    "materials": _("materials"),
    "open_stock": _("opening stock"),
    "orders": _("orders"),
    "own": _("be an order's owner"),
    "payments": _("payments"),
    "po_view": _("view purchase orders"),
    "print_task_sheet": _("print task sheets"),
    "promise": _("promise dates"),
    "qc_fail": _("fail inspection"),
    "qc_plans": _("inspection plans"),
    "receivables": _("receivables"),
    "receive": _("receive goods"),
    "reconciliation": _("reconciliation"),
    "reject": _("reject"),
    "request": _("request"),
    "rework": _("rework"),
    "robots": _("chat robots"),
    "routing": _("set routing rules"),
    "routings": _("routings"),
    "run": _("run"),
    "schedule": _("schedule"),
    "segments": _("segments"),
    "share": _("share"),
    "ship": _("ship"),
    "start": _("start"),
    "stock": _("stock levels"),
    "submit": _("submit"),
    "suppliers_edit": _("edit suppliers"),
    "suppliers_export": _("export suppliers"),
    "suppliers_view": _("view suppliers"),
    "users": _("users"),
    "view": _("view"),
    "view_all": _("see everybody's"),
    "warehouses_manage": _("manage warehouses"),
    "warehouses_view": _("view warehouses"),
    "what_if": _("what-if plans"),
    "work": _("work on tasks"),
    "work_any": _("work on any task"),
}

FIELD_GROUPS = {
    "price": (_("Price terms"), _("Unit prices, discount, tax rate and payment terms.")),
    "amounts": (_("Amounts"), _("Subtotal, tax and totals computed from the prices.")),
    "schedule": (_("Schedule"), _("Priority and due date of an order.")),
    "lines": (_("Lines"), _("The customer, materials and quantities of an order.")),
    "contact": (_("Customer contact"), _("A customer's contact person, phone and address.")),
    "cost": (_("Material cost"), _("A material's standard price.")),
}

SCOPES = {
    "all_regions": (_("All regions"), _("Every order and customer.")),
    "own_regions": (_("Own regions"), _("Orders and customers of the regions the user holds.")),
    "own_records": (
        _("Own records"),
        _("Orders the user owns, and customers of the regions the user holds."),
    ),
    "production_stages": (
        _("Production stages"),
        _("Orders from confirmation until inspection, with their customers."),
    ),
    "qc_stages": (
        _("Inspection stages"),
        _("Orders from production until completion, with their customers."),
    ),
    "own_lines": (_("Own lines"), _("No orders; the tasks of the user's production lines.")),
    "none": (_("Nothing"), _("No orders and no customers.")),
}

LEVELS = {"hidden": _("Hidden"), "read": _("Read only"), "edit": _("Editable")}


@dataclass(frozen=True)
class Entry:
    code: str
    label: str
    meaning: str
    group: str = ""


def action_label(action: str) -> tuple[str, str]:
    area, _dot, verb = action.partition(".")
    area_label = str(AREAS.get(area, area))
    verb_label = str(VERBS.get(verb, verb))
    return f"{area_label} · {verb_label}", _g("%(area)s: may %(verb)s.") % {
        "area": area_label,
        "verb": verb_label,
    }


def actions() -> list[Entry]:
    out = []
    for action in permissions.ACTION_ROLES:
        label, meaning = action_label(action)
        out.append(Entry(action, label, meaning, str(AREAS.get(action.partition(".")[0], ""))))
    return out


def field_groups() -> list[Entry]:
    out = []
    for code, entities in permissions.FIELD_GROUPS.items():
        label, meaning = FIELD_GROUPS.get(code, (code, ""))
        fields = ", ".join(f"{e}.{n}" for e, names in entities.items() for n in sorted(names))
        out.append(Entry(code, str(label), f"{meaning} ({fields})"))
    # groups that are data: each custom field with a group of its own
    out += [Entry(code, label, meaning) for code, label, meaning in permissions.data_field_groups()]
    return out


def scopes() -> list[Entry]:
    return [Entry(code, str(SCOPES[code][0]), str(SCOPES[code][1])) for code in permissions.SCOPES]


def catalogue() -> dict[str, Any]:
    return {
        "actions": actions(),
        "field_groups": field_groups(),
        "scopes": scopes(),
        "levels": [Entry(k, str(v), "") for k, v in LEVELS.items()],
    }
