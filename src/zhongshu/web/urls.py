from django.contrib.auth import views as auth_views
from django.urls import path

from zhongshu.accounts.forms import LoginForm

from .views import audit, common, exports, masterdata, order_form, order_list, orders, users

app_name = "web"

urlpatterns = [
    path("", common.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orders/", order_list.order_list, name="order_list"),
    path("orders/views/save/", order_list.view_save, name="order_view_save"),
    path("orders/views/<int:view_id>/delete/", order_list.view_delete, name="order_view_delete"),
    path("orders/export.xlsx", exports.orders_xlsx, name="orders_xlsx"),
    path("orders/new/", order_form.order_create, name="order_create"),
    path("orders/line-row/", order_form.line_row, name="order_line_row"),
    path("orders/pick/material/", order_form.pick_material, name="pick_material"),
    path("orders/pick/customer/", order_form.pick_customer, name="pick_customer"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", order_form.order_edit, name="order_edit"),
    path("orders/<int:order_id>/transition/", orders.order_transition, name="order_transition"),
    path("customers/", masterdata.customer_list, name="customer_list"),
    path("customers/export.xlsx", exports.customers_xlsx, name="customers_xlsx"),
    path("customers/new/", masterdata.customer_create, name="customer_create"),
    path("customers/<str:code>/edit/", masterdata.customer_edit, name="customer_edit"),
    path("materials/", masterdata.material_list, name="material_list"),
    path("materials/export.xlsx", exports.materials_xlsx, name="materials_xlsx"),
    path("materials/new/", masterdata.material_create, name="material_create"),
    path("materials/<str:code>/edit/", masterdata.material_edit, name="material_edit"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.xlsx", exports.audit_xlsx, name="audit_xlsx"),
    # the inventory pages' downloads (zhongshu.inventory.urls has no such paths, so they land here)
    path("inventory/export.xlsx", exports.stock_xlsx, name="stock_xlsx"),
    path("inventory/shipments/export.xlsx", exports.shipments_xlsx, name="shipments_xlsx"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:user_id>/", users.user_edit, name="user_edit"),
    path("users/<int:user_id>/active/", users.user_set_active, name="user_set_active"),
    path("users/<int:user_id>/password/", users.user_reset_password, name="user_reset_password"),
    path("users/<int:user_id>/tokens/", users.token_create, name="user_token_create"),
    path("tokens/<int:token_id>/revoke/", users.token_revoke, name="token_revoke"),
    path("account/", users.account, name="account"),
    path("account/password/", users.password_change, name="password_change"),
    path("account/tokens/", users.own_token_create, name="own_token_create"),
]
