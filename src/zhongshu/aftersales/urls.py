from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.xlsx", views.case_xlsx, name="export"),
    path("new/", views.case_new, name="new"),
    path("<int:case_id>/", views.case_detail, name="detail"),
]
