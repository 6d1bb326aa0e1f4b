from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("", views.rule_list, name="rule_list"),
    path("new/", views.rule_create, name="rule_create"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("lists/", views.list_index, name="list_index"),
    path("lists/<int:list_id>/", views.list_detail, name="list_detail"),
    path("lists/<int:list_id>/export/", views.list_export, name="list_export"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
]
