from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.material_list, name="material_list"),
    path("export.xlsx", views.materials_xlsx, name="materials_xlsx"),
    path("new/", views.material_create, name="material_create"),
    path("<str:code>/edit/", views.material_edit, name="material_edit"),
    path("<str:code>/release-new/", views.material_release_new, name="material_release_new"),
]
