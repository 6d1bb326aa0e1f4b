"""Django settings for Zhongshu, read from the environment.

DATABASE_URL      postgres://user@host/db (default: SQLite in the data directory)
ZHONGSHU_DATA_DIR where the SQLite file, uploads and the generated secret key live (default ./data)
SECRET_KEY        generated once and kept in the data directory when not given
ALLOWED_HOSTS     comma separated (default: localhost,127.0.0.1,[::1])
ZHONGSHU_COMPANY_NAME  our company's name on statements and exported documents
ZHONGSHU_COMPANY_ADDRESS, ZHONGSHU_COMPANY_PHONE, ZHONGSHU_COMPANY_TAX_ID, ZHONGSHU_COMPANY_LOGO
                  the rest of the head of printed documents (logo: a PNG/JPEG file path)
ZHONGSHU_TEMPLATE_DIR  templates found here first: an administrator's own printed documents
                  (default: <data dir>/templates)
ZHONGSHU_SCRAP_NC_PERCENT  scrap above this share (%) of a finished task's quantity opens a
                  nonconformance, unless the line sets its own threshold (default 5)
ZHONGSHU_DB_PREPARED  "0" behind a connection pooler in transaction mode (PgBouncer without
                  max_prepared_statements): PostgreSQL statements are not kept prepared (default on)
DEBUG             "1"/"true" to turn on (off by default)
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("ZHONGSHU_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Written with O_EXCL so two processes starting together agree on one key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules",
    "axes",
    "simple_history",
    # its templates and static files: the API docs page is served without a CDN
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "zhongshu.core",
    "zhongshu.accounts",
    "zhongshu.customfields",
    "zhongshu.customers",
    "zhongshu.catalog",
    "zhongshu.orders",
    "zhongshu.listviews",
    "zhongshu.inventory",
    "zhongshu.production",
    "zhongshu.quality",
    "zhongshu.rules",
    "zhongshu.notify",
    "zhongshu.imports",
    "zhongshu.approvals",
    "zhongshu.channels",
    "zhongshu.finance",
    "zhongshu.aftersales",
    "zhongshu.planning",
    "zhongshu.analytics",
    "zhongshu.audit",
    "zhongshu.documents",
    "zhongshu.setup",
    "zhongshu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /api/ answers 404/405/413 … in the JSON error shape too
    "zhongshu.core.middleware.ApiErrorShapeMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # integers and dates of the query string within bounds, before any view (zhongshu.core.bounds)
    "zhongshu.core.middleware.BoundedParametersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the request's user becomes history_user; API requests get theirs from the auth class
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: it turns a flagged login response into the lockout response
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhongshu.urls"
WSGI_APPLICATION = "zhongshu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # an administrator's templates come before the apps' (docs/printing.md)
        "DIRS": [Path(os.environ.get("ZHONGSHU_TEMPLATE_DIR", DATA_DIR / "templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhongshu.web.context_processors.navigation",
            ],
        },
    }
]


def _database() -> dj_database_url.DBConfig | dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if db["ENGINE"] == "django.db.backends.postgresql":
            # the same backend, with a health check that skips a connection used a moment ago
            db["ENGINE"] = "zhongshu.core.postgresql"
            # Parameters sent apart from the statement, and a statement run five times on a
            # connection kept prepared: PostgreSQL parses and plans it once (decision 34).
            db.setdefault("OPTIONS", {})["server_side_binding"] = True
            if _env_bool("ZHONGSHU_DB_PREPARED", True):
                db["OPTIONS"]["prepare_threshold"] = 5
        db.setdefault("TEST", {})
        if os.environ.get("TEST_DATABASE_NAME"):
            db["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "zhongshu.sqlite3",
        "OPTIONS": {
            # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two writers
            # queue on busy_timeout instead of failing with "database is locked" mid-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
        "TEST": {"NAME": os.environ.get("TEST_SQLITE_NAME") or None},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out username before any password is checked
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# Lockout after repeated failed logins (web login and POST /api/v1/auth/token): the sixth failure
# in a row locks the username for the cool-off from that address; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 6))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
# Locked is the pair (username, client address): a stranger guessing the administrator's password
# locks only themselves out, never the administrator at their own desk; colleagues behind one NAT
# address are still counted per username. Each failure from the third on is answered after
# LOGIN_FAILURE_DELAY seconds, which slows guessing from many addresses.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_FAILURE_DELAY = float(os.environ.get("LOGIN_FAILURE_DELAY", 0.5))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhongshu.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# failed logins are kept for the audit trail too, not only counted towards the lockout
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# W006 asks to lock by IP address alone; the address is part of the locked pair instead (above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# No inline scripts anywhere; templates carry no inline styles either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

NINJA_PAGINATION_MAX_LIMIT = 200

# Background work (django-tasks): the database queue by default, run by `zhongshu worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],  # any queue name
    }
}

# Where the production schedule reflows after a change (production/services/reflow.py): "inline"
# right after the commit, in the request; "worker": one coalesced reflow queued for `zhongshu
# worker` (the default of `zhongshu serve`, which runs beside a worker).
PRODUCTION_REFLOW = os.environ.get("ZHONGSHU_REFLOW", "inline")

# Chanjet/Yonyou T+ (the stock master). Empty TPLUS_BASE_URL: stock is managed locally only.
TPLUS_BASE_URL = os.environ.get("TPLUS_BASE_URL", "").rstrip("/")
TPLUS_APP_KEY = os.environ.get("TPLUS_APP_KEY", "")
TPLUS_APP_SECRET = os.environ.get("TPLUS_APP_SECRET", "")
TPLUS_OPEN_TOKEN = os.environ.get("TPLUS_OPEN_TOKEN", "")
TPLUS_TIMEOUT = float(os.environ.get("TPLUS_TIMEOUT", "1.5"))  # seconds, on-demand refresh
TPLUS_STALE_AFTER = int(os.environ.get("TPLUS_STALE_AFTER", "1800"))  # seconds
ERP_CODE_PREFIX = os.environ.get("ERP_CODE_PREFIX", "ZS")  # ExternalCode prefix of T+ documents
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", 90))
# printed at the head of statements sent to customers (对账单)
COMPANY_NAME = os.environ.get("ZHONGSHU_COMPANY_NAME", "")
COMPANY_ADDRESS = os.environ.get("ZHONGSHU_COMPANY_ADDRESS", "")
COMPANY_PHONE = os.environ.get("ZHONGSHU_COMPANY_PHONE", "")
COMPANY_TAX_ID = os.environ.get("ZHONGSHU_COMPANY_TAX_ID", "")
COMPANY_LOGO = os.environ.get("ZHONGSHU_COMPANY_LOGO", "")
# scrap reported on a task above this percentage of its quantity opens a nonconformance
SCRAP_NC_PERCENT = os.environ.get("ZHONGSHU_SCRAP_NC_PERCENT", "5")
# how long after finishing a task the floor may take the finish back
TASK_UNDO_SECONDS = 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "zhongshu.core.logfilters.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "zhongshu.web.views.errors.csrf_failure"
