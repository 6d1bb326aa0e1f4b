from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

app_name = "web"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:login"), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
