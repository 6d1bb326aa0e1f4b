from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("material/<str:code>/", views.material_ledger, name="material"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("adjustments/new/", views.adjustment_create, name="adjustment_create"),
    path("shipments/", views.shipment_list, name="shipment_list"),
    path("shipments/new/", views.shipment_create, name="shipment_create"),
    path("availability/fragment", views.availability_fragment, name="availability_fragment"),
]
