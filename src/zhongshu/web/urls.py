from django.contrib.auth import views as auth_views
from django.urls import path

from zhongshu.accounts.forms import LoginForm

from .views import common, masterdata, order_form, orders

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
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", order_form.order_create, name="order_create"),
    path("orders/line-row/", order_form.line_row, name="order_line_row"),
    path("orders/pick/material/", order_form.pick_material, name="pick_material"),
    path("orders/pick/customer/", order_form.pick_customer, name="pick_customer"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", order_form.order_edit, name="order_edit"),
    path("orders/<int:order_id>/transition/", orders.order_transition, name="order_transition"),
    path("customers/", masterdata.customer_list, name="customer_list"),
    path("customers/new/", masterdata.customer_create, name="customer_create"),
    path("customers/<str:code>/edit/", masterdata.customer_edit, name="customer_edit"),
    path("materials/", masterdata.material_list, name="material_list"),
    path("materials/new/", masterdata.material_create, name="material_create"),
    path("materials/<str:code>/edit/", masterdata.material_edit, name="material_edit"),
]
