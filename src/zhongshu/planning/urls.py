from django.urls import path

from . import supplier_views, views

app_name = "planning"

urlpatterns = [
    path("", views.suggestion_list, name="suggestion_list"),
    path("run/", views.run, name="run"),
    path("export.xlsx", views.suggestion_xlsx, name="suggestion_xlsx"),
    path("suggestions/<int:pk>/accept/", views.accept, name="accept"),
    path("suggestions/<int:pk>/edit/", views.edit, name="edit"),
    path("suggestions/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("purchase-orders/", views.purchase_order_list, name="purchase_order_list"),
    path("purchase-orders/<int:pk>/receive/", views.receive, name="receive"),
    path("purchase-orders/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("forecasts/", views.forecast_list, name="forecast_list"),
    path("forecasts/run/", views.forecast_run, name="forecast_run"),
    path("suppliers/", supplier_views.supplier_list, name="supplier_list"),
    path("suppliers/new/", supplier_views.supplier_edit, name="supplier_create"),
    path("suppliers/export.xlsx", supplier_views.supplier_export, name="supplier_export"),
    path("suppliers/<str:code>/", supplier_views.supplier_edit, name="supplier_edit"),
    path(
        "suppliers/<str:code>/deactivate/",
        supplier_views.supplier_deactivate,
        name="supplier_deactivate",
    ),
    path("suppliers/<str:code>/prices/", supplier_views.price_add, name="price_add"),
    path("suggestions/accept-grouped/", supplier_views.accept_grouped, name="accept_grouped"),
    path("promise/panel", views.promise_panel, name="promise_panel"),
]
