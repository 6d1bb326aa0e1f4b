from django.urls import path

from . import routing_views, views

app_name = "channels"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("orders/", views.pool, name="pool"),
    path("accounts/", views.accounts, name="accounts"),
    path("mappings/", views.mappings, name="mappings"),
    path("mappings/save/", views.mapping_save, name="mapping_save"),
    path("exceptions/<int:exception_id>/map/", views.map_retry, name="map_retry"),
    path("exceptions/<int:exception_id>/route/", views.route_retry, name="route_retry"),
    path("exceptions/<int:exception_id>/dismiss/", views.dismiss, name="dismiss"),
    path("address-regions/", routing_views.address_regions, name="address_regions"),
    path(
        "address-regions/<int:rule_id>/",
        routing_views.address_region_edit,
        name="address_region_edit",
    ),
    path(
        "address-regions/<int:rule_id>/delete/",
        routing_views.address_region_delete,
        name="address_region_delete",
    ),
    path("carriers/", views.carriers, name="carriers"),
    path("routing/", views.routing, name="routing"),
    path("carriers/save/", views.carrier_mapping_save, name="carrier_mapping_save"),
    path("carriers/refresh/<int:account_id>/", views.carriers_refresh, name="carriers_refresh"),
    path("agent/", views.agent_portal, name="agent"),
]
