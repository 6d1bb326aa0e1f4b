from django.urls import path

from . import region_views, role_views, views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:user_id>/password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:user_id>/tokens/", views.token_create, name="user_token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("regions/", region_views.region_list, name="region_list"),
    path("regions/export.xlsx", region_views.region_export, name="region_export"),
    path(
        "regions/<int:region_id>/active/", region_views.region_set_active, name="region_set_active"
    ),
    path("accounts/permissions/", role_views.permission_catalogue, name="permission_catalogue"),
    path("accounts/roles/", role_views.role_list, name="role_list"),
    path("accounts/roles/<slug:code>/", role_views.role_edit, name="role_edit"),
    path("accounts/roles/<slug:code>/state/", role_views.role_state, name="role_state"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/", views.own_token_create, name="own_token_create"),
]
