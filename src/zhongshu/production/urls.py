from django.urls import path

from . import schedule_views, views

app_name = "production"

urlpatterns = [
    path("", views.kanban, name="kanban"),
    path("board/", views.board, name="board"),
    path("my/", views.my_tasks, name="my"),
    path("tasks/<int:task_id>/start/", views.task_start, name="task_start"),
    path("tasks/<int:task_id>/finish/", views.task_finish, name="task_finish"),
    path("tasks/<int:task_id>/undo-finish/", views.task_undo, name="task_undo"),
    path("tasks/<int:task_id>/pause/", views.task_pause, name="task_pause"),
    path("tasks/<int:task_id>/resume/", views.task_resume, name="task_resume"),
    path("tasks/<int:task_id>/pin/", schedule_views.task_pin, name="task_pin"),
    path("load/", schedule_views.line_load, name="load"),
    path("schedule/", schedule_views.schedule, name="schedule"),
    path("schedule/run/", schedule_views.reschedule, name="reschedule"),
    path("schedule/what-if/", schedule_views.what_if, name="what_if"),
    path("setup/", views.setup, name="setup"),
]
