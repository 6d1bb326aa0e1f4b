"""The project's URLs plus the analytics API router and pages where the project does not mount
them yet (``src/zhongshu/api.py`` / ``src/zhongshu/urls.py``), so the tests reach
/api/v1/analytics/… and /analytics/… either way."""

from django.urls import include, path
from ninja import NinjaAPI

from zhongshu import api as project_api
from zhongshu import urls as project_urls
from zhongshu.analytics.api import analytics_router

urlpatterns = []
if not any(prefix.strip("/") == "analytics" for prefix, _r in project_api.api._routers):
    extra_api = NinjaAPI(
        auth=project_api.api.auth, urls_namespace="api-v1-analytics", docs_url=None,
        openapi_url=None,
    )  # fmt: skip
    extra_api._exception_handlers.update(project_api.api._exception_handlers)
    extra_api.add_router("/analytics", analytics_router)
    urlpatterns.append(path("api/v1/", extra_api.urls))
if not any(str(p.pattern) == "analytics/" for p in project_urls.urlpatterns):
    urlpatterns.append(path("analytics/", include("zhongshu.analytics.insight_urls")))
urlpatterns += project_urls.urlpatterns
