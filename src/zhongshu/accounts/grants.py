"""The built-in roles' default grants and the field groups (SPEC §2), as plain tables.

``permissions`` decides with them (and re-exports every name here); stored roles grant, revoke
and hide on top of these defaults.
"""

from .roles import Role

R = Role

# --- action permissions -------------------------------------------------------------------------
EVERYONE_BUT_OPERATOR = {r for r in Role} - {R.OPERATOR}
# who sees stock and, with it, the warehouses that hold it
STOCK_READERS = {R.WAREHOUSE, R.PLANNER, R.MANAGER, R.ADMIN, R.PURCHASING, R.SALES, R.FINANCE,
                 R.SUPERVISOR}  # fmt: skip

ACTION_ROLES: dict[str, set[Role]] = {
    # orders
    "orders.view": EVERYONE_BUT_OPERATOR,
    "orders.create": {R.SALES, R.ADMIN},
    "orders.edit": {R.SALES, R.ADMIN, R.PLANNER, R.WAREHOUSE, R.MANAGER},
    "orders.edit_others": {R.SALES, R.ADMIN, R.PLANNER, R.WAREHOUSE},
    "orders.edit_price": {R.SALES, R.ADMIN},
    # lines, quantities, priority and due dates belong to sales and planning (not the warehouse)
    "orders.edit_lines": {R.SALES, R.ADMIN, R.PLANNER, R.MANAGER},
    "orders.edit_schedule": {R.SALES, R.ADMIN, R.PLANNER, R.MANAGER},
    "orders.delete": {R.ADMIN},
    "orders.export": EVERYONE_BUT_OPERATOR,
    # transitions (SPEC §3); object conditions are in TRANSITION_OBJECT_RULES below
    "orders.submit": {R.SALES, R.ADMIN},
    "orders.reject": {R.PLANNER, R.MANAGER, R.ADMIN},
    "orders.confirm": {R.PLANNER, R.MANAGER, R.ADMIN},
    "orders.schedule": {R.PLANNER, R.ADMIN},
    "orders.start": {R.SUPERVISOR, R.OPERATOR, R.ADMIN},
    "orders.finish": {R.SUPERVISOR, R.ADMIN},
    "orders.qc_fail": {R.QC, R.ADMIN},
    "orders.ship": {R.WAREHOUSE, R.ADMIN},
    "orders.complete": {R.SALES, R.FINANCE, R.ADMIN},
    "orders.cancel": {R.SALES, R.PLANNER, R.MANAGER, R.ADMIN},
    # cancel any order in scope, also confirmed ones and others' (without it: own drafts and
    # orders awaiting review only)
    "orders.cancel_any": {R.PLANNER, R.MANAGER, R.ADMIN},
    # hand orders to another sales owner (the order list's bulk action)
    "orders.assign_owner": {R.MANAGER, R.ADMIN},
    # who may be made an order's sales owner
    "orders.own": {R.SALES, R.MANAGER, R.ADMIN},
    # master data
    "customers.view": EVERYONE_BUT_OPERATOR,
    "customers.manage": {R.SALES, R.ADMIN},
    # the contact group: contact person, phone, address
    "customers.edit_contact": {R.SALES, R.ADMIN},
    "materials.view": set(Role),
    "materials.manage": {R.PLANNER, R.ADMIN},
    # the cost group: the standard price
    "materials.edit_cost": {R.PLANNER, R.ADMIN},
    "regions.view": set(Role),
    "regions.manage": {R.ADMIN},
    "regions.export": {R.ADMIN, R.MANAGER},
    # the go-live checklist and the company printed on documents (SPEC §1)
    "setup.view": {R.ADMIN},
    "company.manage": {R.ADMIN},
    "users.manage": {R.ADMIN},
    "audit.view": {R.ADMIN, R.MANAGER},
    # inventory (SPEC §4)
    "inventory.view": set(STOCK_READERS),
    "inventory.receive": {R.WAREHOUSE, R.ADMIN},
    "inventory.adjust": {R.WAREHOUSE, R.ADMIN},
    "inventory.ship": {R.WAREHOUSE, R.ADMIN},
    # the ERP link (T+): stock is not regional, so these are region-neutral
    "inventory.reconciliation": {R.WAREHOUSE, R.MANAGER, R.FINANCE, R.ADMIN},
    "inventory.erp_retry": {R.WAREHOUSE, R.ADMIN},
    "inventory.erp_master": {R.WAREHOUSE, R.ADMIN},
    "inventory.erp_settings": {R.ADMIN},
    # warehouses as master data: seen by whoever sees stock, kept by the warehouse and admin
    "inventory.warehouses_view": set(STOCK_READERS),
    "inventory.warehouses_manage": {R.WAREHOUSE, R.ADMIN},
    "shipments.view": EVERYONE_BUT_OPERATOR,
    # production (SPEC §5): lines, calendars, routings, BOMs, task sheets, schedule, kanban
    "production.view": {R.PLANNER, R.SUPERVISOR, R.OPERATOR, R.MANAGER, R.ADMIN, R.QC},
    "production.manage": {R.PLANNER, R.ADMIN},
    "production.schedule": {R.PLANNER, R.ADMIN},
    "production.what_if": {R.PLANNER, R.MANAGER, R.ADMIN},
    "production.work": {R.OPERATOR, R.SUPERVISOR, R.ADMIN},
    # every task, not only those of the user's own lines (operators see and work on their own)
    "production.all_tasks": {R.PLANNER, R.SUPERVISOR, R.MANAGER, R.ADMIN, R.QC},
    "production.work_any": {R.SUPERVISOR, R.ADMIN},
    "production.assign": {R.SUPERVISOR, R.PLANNER, R.ADMIN},
    "production.rework": {R.QC, R.SUPERVISOR, R.PLANNER, R.ADMIN},
    # quality control (SPEC §5)
    "qc.view": {R.QC, R.SUPERVISOR, R.PLANNER, R.MANAGER, R.WAREHOUSE, R.ADMIN},
    "qc.manage_plans": {R.QC, R.ADMIN},
    "qc.inspect": {R.QC, R.ADMIN},
    # rules and follow-up tasks (SPEC §6)
    "rules.view": {R.ADMIN, R.MANAGER, R.PLANNER},
    "rules.manage": {R.ADMIN, R.MANAGER},
    "followups.view": set(Role),
    # every follow-up task, not only the user's, their roles' and those they created
    "followups.view_all": {R.ADMIN, R.MANAGER},
    "followups.manage": {R.ADMIN, R.MANAGER, R.PLANNER, R.SALES, R.PURCHASING},
    # notifications (SPEC §6)
    "notifications.inbox": set(Role),
    "notifications.deliveries": {R.ADMIN},
    "notifications.contacts": {R.ADMIN},
    "notifications.robots": {R.ADMIN},
    # import and export (SPEC §8)
    "imports.orders": {R.SALES, R.ADMIN},
    "imports.customers": {R.SALES, R.ADMIN},
    "imports.materials": {R.PLANNER, R.ADMIN},
    "imports.stock": {R.WAREHOUSE, R.ADMIN},
    "imports.users": {R.ADMIN},
    "imports.routings": {R.PLANNER, R.ADMIN},
    "imports.boms": {R.PLANNER, R.ADMIN},
    "imports.qc_plans": {R.QC, R.ADMIN},
    "imports.open_stock": {R.WAREHOUSE, R.ADMIN},
    "imports.receivables": {R.FINANCE, R.ADMIN},
    # everybody's import batches, not only one's own
    "imports.view_all": {R.ADMIN},
    "finance.reconciliation": {R.FINANCE, R.SALES, R.MANAGER, R.ADMIN},
    # exports (SPEC §8 "any list view to xlsx"): whoever may see a list may export it, in their
    # own scope; shipments are exported with "orders.export" (they are the orders' documents)
    "customers.export": EVERYONE_BUT_OPERATOR,
    "materials.export": set(Role),
    "inventory.export": {
        R.WAREHOUSE,
        R.PLANNER,
        R.MANAGER,
        R.ADMIN,
        R.PURCHASING,
        R.SALES,
        R.FINANCE,
        R.SUPERVISOR,
    },
    "audit.export": {R.ADMIN, R.MANAGER},
    # dashboard (SPEC §9)
    "dashboard.view": EVERYONE_BUT_OPERATOR,
    # analytics (SPEC §9): segments are scoped like customers (sales: their regions only)
    "analytics.segments": {R.ADMIN, R.MANAGER, R.SALES},
    "analytics.effect": {R.ADMIN, R.MANAGER},
    "analytics.leaderboard": {R.ADMIN, R.MANAGER},
    "analytics.configure": {R.ADMIN, R.MANAGER},
    # approvals (SPEC §6): deciding is limited by the flow's steps (object rules below)
    "approvals.view": set(Role),
    "approvals.request": {R.SALES, R.PLANNER, R.MANAGER, R.ADMIN},
    "approvals.decide": {R.MANAGER, R.PLANNER, R.SUPERVISOR, R.FINANCE, R.ADMIN, R.SALES, R.QC},
    "approvals.configure": {R.ADMIN},
    # withdraw others' requests and attach files to them
    "approvals.act_for_others": {R.ADMIN},
    # channels (SPEC §7)
    "channels.view": {R.ADMIN, R.MANAGER, R.SALES, R.PLANNER},
    "channels.manage": {R.ADMIN},
    "channels.map_sku": {R.ADMIN, R.SALES, R.PLANNER},
    # routing rules: which owner, queue and tags a converted channel order gets
    "channels.routing": {R.ADMIN, R.MANAGER},
    # receivables and payments (finance reads every region; sales only theirs)
    "finance.view": {R.FINANCE, R.MANAGER, R.ADMIN, R.SALES},
    "finance.payments": {R.FINANCE, R.ADMIN},
    "finance.adjust": {R.FINANCE, R.ADMIN},
    # after-sales cases
    "aftersales.view": EVERYONE_BUT_OPERATOR,
    "aftersales.manage": {R.SALES, R.QC, R.MANAGER, R.ADMIN},
    # material planning (SPEC §9): MRP runs, purchase suggestions, purchase orders
    "planning.view": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    "planning.export": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    "planning.run": {R.PURCHASING, R.PLANNER, R.ADMIN},
    "planning.decide": {R.PURCHASING, R.ADMIN},
    "planning.configure": {R.PURCHASING, R.PLANNER, R.ADMIN},
    # purchase orders: the warehouse sees them to receive the goods against them
    "planning.po_view": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN, R.WAREHOUSE},
    "planning.receive": {R.WAREHOUSE, R.ADMIN},
    # suppliers and their prices (purchasing master data)
    "planning.suppliers_view": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    "planning.suppliers_edit": {R.PURCHASING, R.ADMIN},
    "planning.suppliers_export": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    # printed documents (zhongshu.documents): each also needs the view right of what it prints
    "documents.print_task_sheet": {R.PLANNER, R.SUPERVISOR, R.MANAGER, R.ADMIN},
    # capable-to-promise date on order entry
    "planning.promise": {R.SALES, R.PLANNER, R.MANAGER, R.ADMIN},
    # custom fields and saved list views (operations configure them without code)
    "customfields.manage": {R.ADMIN},
    "listviews.share": {R.ADMIN, R.MANAGER},
}

# Field groups (SPEC §2): fields that are seen and changed together. A role edits a group's fields
# when it holds the group's edit action, sees them read-only otherwise, and not at all when the role
# hides the group (stored roles only; a user sees a group when any of their roles does).
FIELD_GROUPS: dict[str, dict[str, set[str]]] = {
    # price terms: warehouse and planner may not edit them
    "price": {
        "order": {"discount_rate", "tax_rate", "payment_terms", "unit_price"},
        "order_line": {"unit_price"},
    },
    # the amounts computed from the prices: shown and hidden with them, never edited directly
    "amounts": {
        "order": {"subtotal", "tax_amount", "total_amount"},
        "order_line": {"amount"},
    },
    # when and how urgently: sales' and planning's
    "schedule": {"order": {"due_date", "priority"}},
    # who orders what: the customer, the lines, their materials and quantities
    "lines": {"order": {"customer", "lines"}, "order_line": {"material", "quantity", "fulfilment"}},
    # how to reach a customer
    "contact": {"customer": {"contact", "phone", "address"}},
    # what a material costs
    "cost": {"material": {"standard_price"}},
}
FIELD_EDIT_ACTIONS = {
    "price": "orders.edit_price",
    "amounts": "orders.edit_price",
    "schedule": "orders.edit_schedule",
    "lines": "orders.edit_lines",
    "contact": "customers.edit_contact",
    "cost": "materials.edit_cost",
}
# groups shown and hidden together (the amounts follow the prices)
FIELD_GROUP_FOLLOWS = {"amounts": "price"}
GROUP_OF = {
    (entity, name): group
    for group, entities in FIELD_GROUPS.items()
    for entity, names in entities.items()
    for name in names
}
# kept for the callers that pick the price fields out of a change
PRICE_FIELDS = FIELD_GROUPS["price"]
