"""The REST API root (/api/v1): authentication, the one error shape, and the app routers."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security.base import AuthBase

from zhongshu.accounts.api import router as accounts_router
from zhongshu.accounts.services import token_user
from zhongshu.aftersales.api import router as aftersales_router
from zhongshu.analytics.api import analytics_router
from zhongshu.analytics.api import router as dashboard_router
from zhongshu.approvals.api import router as approvals_router
from zhongshu.catalog.api import router as catalog_router
from zhongshu.channels.api import router as channels_router
from zhongshu.core import jsonbody
from zhongshu.core.errors import DomainError
from zhongshu.customers.api import router as customers_router
from zhongshu.customfields import openapi as custom_openapi
from zhongshu.customfields.api import router as customfields_router
from zhongshu.documents.api import router as company_router
from zhongshu.finance.api import router as finance_router
from zhongshu.imports.api import router as imports_router
from zhongshu.inventory.api import router as inventory_router
from zhongshu.inventory.warehouses_api import router as warehouses_router
from zhongshu.listviews.api import router as listviews_router
from zhongshu.notify.api import router as notify_router
from zhongshu.orders.api import router as orders_router
from zhongshu.planning.api import router as planning_router
from zhongshu.planning.purchasing_api import router as purchasing_router
from zhongshu.production.api import router as production_router
from zhongshu.quality.api import router as qc_router
from zhongshu.rules.api import router as rules_router
from zhongshu.rules.api import tasks_router
from zhongshu.setup.api import router as setup_router

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(AuthBase):
    """The browser's session. Unauthenticated → None (401); CSRF is checked for writes."""

    # documented as the cookie it is (ninja builds the security scheme from openapi_* attributes)
    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = "sessionid"

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS:
            reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if reason is not None:
                raise HttpError(403, _("CSRF check failed: reload the page and try again."))
        return user


class BoundedJsonParser(Parser):
    """Request bodies through the one JSON reader with a depth limit."""

    def parse_body(self, request):
        return jsonbody.loads(request.body)


api = NinjaAPI(
    parser=BoundedJsonParser(),
    title="Zhongshu API",
    version="1",
    description=(
        "The order hub's REST API. Authenticate with `POST /api/v1/auth/token` and send "
        "`Authorization: Bearer <token>`. Errors are `{code, message, details}`."
    ),
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api-v1",
)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def error_response(request, status: int, code: str, message, details=None):
    return api.create_response(
        request, {"code": code, "message": str(message), "details": details or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(request, exc.http_status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        field = ""
        for part in err.get("loc", ()):
            if part in ("body", "payload", "query", "path"):
                continue
            # the services' spelling: lines[0].quantity
            field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
        errors.append({"field": field or "body", "message": err.get("msg", "")})
    return error_response(
        request, 422, "validation_error", _("Some fields are not valid."), {"errors": errors}
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthorized", _("Log in or send a valid Bearer token."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(
        request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), exc.message
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error_response(request, 413, "too_large", _("The request is too large."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


api.add_router("/", accounts_router)
api.add_router("/customers", customers_router)
api.add_router("/materials", catalog_router)
api.add_router("/orders", orders_router)
api.add_router("/inventory", inventory_router)
api.add_router("/warehouses", warehouses_router)
api.add_router("/production", production_router)
api.add_router("/qc", qc_router)
api.add_router("/rules", rules_router)
api.add_router("/tasks", tasks_router)
api.add_router("/notifications", notify_router)
api.add_router("/imports", imports_router)
api.add_router("/finance", finance_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/analytics", analytics_router)
api.add_router("/approvals", approvals_router)
api.add_router("/channels", channels_router)
api.add_router("/aftersales", aftersales_router)
api.add_router("/planning", planning_router)
api.add_router("/setup", setup_router)
api.add_router("/company", company_router)
api.add_router("/planning", purchasing_router)  # suppliers, prices, grouped accept
api.add_router("/custom-fields", customfields_router)
api.add_router("/views", listviews_router)


_ninja_schema = api.get_openapi_schema


def _schema_with_custom_fields(*args, **kwargs):
    """Custom fields are data, not code: their definitions are written into the schema each time
    it is asked for."""
    return custom_openapi.document(_ninja_schema(*args, **kwargs))


# ninja has no hook for the schema it serves, so the instance's method is replaced
api.get_openapi_schema = _schema_with_custom_fields  # type: ignore[method-assign]
