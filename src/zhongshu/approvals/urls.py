from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.waiting, name="waiting"),
    path("mine/", views.mine, name="mine"),
    path("all/", views.all_requests, name="all"),
    path("new/", views.new_request, name="new"),
    path("delegations/", views.delegations, name="delegations"),
    path("flows/", views.flows, name="flows"),
    path("flows/new/", views.flow_edit, name="flow_new"),
    path("flows/<int:flow_id>/", views.flow_edit, name="flow_edit"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/decide/", views.decide, name="decide"),
    path("<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:request_id>/attachments/", views.upload, name="upload"),
]
