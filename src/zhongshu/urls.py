from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("inventory/", include("zhongshu.inventory.urls")),
    path("", include("zhongshu.web.urls")),
]
