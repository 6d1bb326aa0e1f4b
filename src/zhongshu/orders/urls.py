from django.urls import path

from .views import detail, exports, order_form, order_list

app_name = "orders"

urlpatterns = [
    path("", order_list.order_list, name="order_list"),
    path("views/save/", order_list.view_save, name="order_view_save"),
    path("views/queues/", order_list.queue_views_save, name="queue_views_save"),
    path("bulk/", order_list.bulk_action, name="order_bulk"),
    path("views/<int:view_id>/delete/", order_list.view_delete, name="order_view_delete"),
    path("export.xlsx", exports.orders_xlsx, name="orders_xlsx"),
    path("new/", order_form.order_create, name="order_create"),
    path("line-row/", order_form.line_row, name="order_line_row"),
    path("pick/material/", order_form.pick_material, name="pick_material"),
    path("pick/customer/", order_form.pick_customer, name="pick_customer"),
    path("<int:order_id>/", detail.order_detail, name="order_detail"),
    path("<int:order_id>/edit/", order_form.order_edit, name="order_edit"),
    path("<int:order_id>/transition/", detail.order_transition, name="order_transition"),
]
