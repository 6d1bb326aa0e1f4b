from django.urls import path

from . import company_views, views

app_name = "documents"

urlpatterns = [
    path("purchase-orders/<str:number>/", views.purchase_order, name="purchase_order"),
    path("shipments/<int:shipment_id>/", views.delivery_note, name="delivery_note"),
    path("orders/<int:order_id>/delivery-notes/", views.delivery_notes, name="delivery_notes"),
    path("orders/<int:order_id>/confirmation/", views.order_confirmation, name="confirmation"),
    path("task-sheets/<int:sheet_id>/", views.task_sheet, name="task_sheet"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("font/noto-sans-sc.otf", views.font, name="font"),
    path("statement/", views.statement, name="statement"),
    path("company/", company_views.company_edit, name="company"),
]
