from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/progress/", views.batch_progress, name="progress"),
    path("<int:batch_id>/commit/", views.batch_commit, name="commit"),
    path("<int:batch_id>/cancel/", views.batch_cancel, name="cancel"),
    path("<int:batch_id>/errors.xlsx", views.batch_errors, name="errors"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
]
