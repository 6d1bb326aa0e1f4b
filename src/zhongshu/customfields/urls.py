from django.urls import path

from . import views

app_name = "customfields"

urlpatterns = [
    path("", views.field_list, name="list"),
    path("new/", views.field_new, name="new"),
    path("<int:pk>/", views.field_edit, name="edit"),
    path("<int:pk>/delete/", views.field_delete, name="delete"),
    path("<int:pk>/restore/", views.field_restore, name="restore"),
]
