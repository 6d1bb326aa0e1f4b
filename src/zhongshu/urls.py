from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orders/", include("zhongshu.orders.urls")),
    path("customers/", include("zhongshu.customers.urls")),
    path("materials/", include("zhongshu.catalog.urls")),
    path("audit/", include("zhongshu.audit.urls")),
    path("", include("zhongshu.accounts.urls")),
    path("inventory/", include("zhongshu.inventory.urls")),
    path("production/", include("zhongshu.production.urls")),
    path("qc/", include("zhongshu.quality.urls")),
    path("rules/", include("zhongshu.rules.urls")),
    path("notifications/", include("zhongshu.notify.urls")),
    path("imports/", include("zhongshu.imports.urls")),
    path("finance/", include("zhongshu.finance.urls")),
    path("dashboard/", include("zhongshu.analytics.urls")),
    path("analytics/", include("zhongshu.analytics.insight_urls")),
    path("approvals/", include("zhongshu.approvals.urls")),
    path("channels/", include("zhongshu.channels.urls")),
    path("aftersales/", include("zhongshu.aftersales.urls")),
    path("planning/", include("zhongshu.planning.urls")),
    path("documents/", include("zhongshu.documents.urls")),
    path("setup/", include("zhongshu.setup.urls")),
    path("settings/fields/", include("zhongshu.customfields.urls")),
    path("", include("zhongshu.web.urls")),
]

handler400 = "zhongshu.web.views.errors.bad_request"
handler403 = "zhongshu.web.views.errors.permission_denied"
handler404 = "zhongshu.web.views.errors.page_not_found"
handler500 = "zhongshu.web.views.errors.server_error"
