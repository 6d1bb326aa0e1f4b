from django.contrib.auth import views as auth_views
from django.urls import path

from zhongshu.accounts.forms import LoginForm

from .views import common

app_name = "web"

urlpatterns = [
    path("", common.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
