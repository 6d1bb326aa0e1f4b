from django.urls import path

from . import views

app_name = "production"

urlpatterns = [
    path("", views.kanban, name="kanban"),
    path("board/", views.board, name="board"),
    path("my/", views.my_tasks, name="my"),
    path("tasks/<int:task_id>/start/", views.task_start, name="task_start"),
    path("tasks/<int:task_id>/finish/", views.task_finish, name="task_finish"),
    path("tasks/<int:task_id>/pin/", views.task_pin, name="task_pin"),
    path("load/", views.line_load, name="load"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/run/", views.reschedule, name="reschedule"),
    path("schedule/what-if/", views.what_if, name="what_if"),
    path("setup/", views.setup, name="setup"),
]
