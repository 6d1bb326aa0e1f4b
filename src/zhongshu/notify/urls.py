from django.urls import path

from . import cards, signin, views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:message_id>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("contact/", views.contact, name="contact"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:user_id>/", views.contact, name="contact_edit"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:message_id>/retry/", views.retry, name="retry"),
    path("robots/", views.robots, name="robots"),
    path("signin/<str:kind>/", signin.start, name="signin"),
    path("signin/<str:kind>/done/", signin.done, name="signin_done"),
    path("feishu/card/", cards.feishu_callback, name="feishu_card"),
    path("robots/<int:robot_id>/toggle/", views.robot_toggle, name="robot_toggle"),
    path("robots/<int:robot_id>/delete/", views.robot_delete, name="robot_delete"),
]
