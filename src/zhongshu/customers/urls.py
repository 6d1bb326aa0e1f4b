from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("export.xlsx", views.customers_xlsx, name="customers_xlsx"),
    path("new/", views.customer_create, name="customer_create"),
    path("<str:code>/edit/", views.customer_edit, name="customer_edit"),
]
