from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/<int:order_id>/", views.inspect, name="inspect"),
    path("nonconformances/<int:nc_id>/close/", views.nc_close, name="nc_close"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/open/", views.plan_open, name="plan_open"),
    path("plans/<str:code>/", views.plan_edit, name="plan_edit"),
]
