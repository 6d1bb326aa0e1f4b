from django.urls import path

from . import erp_views, views, warehouse_views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("material/<str:code>/", views.material_ledger, name="material"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("adjustments/new/", views.adjustment_create, name="adjustment_create"),
    path("export.xlsx", views.stock_xlsx, name="stock_xlsx"),
    path("shipments/export.xlsx", views.shipments_xlsx, name="shipments_xlsx"),
    path("shipments/", views.shipment_list, name="shipment_list"),
    path("shipments/new/", views.shipment_create, name="shipment_create"),
    path("reconciliation/", erp_views.reconciliation_page, name="reconciliation"),
    path(
        "reconciliation/postings/<int:posting_id>/retry/",
        erp_views.posting_retry,
        name="posting_retry",
    ),
    path("erp/", erp_views.connection_page, name="erp_connection"),
    path("warehouses/", warehouse_views.warehouse_list, name="warehouse_list"),
    path("warehouses/new/", warehouse_views.warehouse_edit, name="warehouse_create"),
    path("warehouses/export.xlsx", warehouse_views.warehouse_export, name="warehouse_export"),
    path("warehouses/<str:code>/", warehouse_views.warehouse_edit, name="warehouse_edit"),
    path(
        "warehouses/<str:code>/active/",
        warehouse_views.warehouse_set_active,
        name="warehouse_set_active",
    ),
    path(
        "warehouses/<str:code>/delete/", warehouse_views.warehouse_delete, name="warehouse_delete"
    ),
    path("availability/fragment", views.availability_fragment, name="availability_fragment"),
]
