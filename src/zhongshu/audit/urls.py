from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="audit"),
    path("export.xlsx", views.audit_xlsx, name="audit_xlsx"),
]
