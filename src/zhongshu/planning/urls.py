from django.urls import path

from . import views

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
    path("promise/panel", views.promise_panel, name="promise_panel"),
]
