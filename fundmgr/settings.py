"""Settings for fundmgr. Every deployment knob is read from the environment here."""

from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.env import env_bool, env_decimal, env_int, env_list, env_redis_url, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("FUNDMGR_DEV", default=False):
        raise ImproperlyConfigured("SECRET_KEY must be set. For local development set DEBUG=1 (make run does).")
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS and security headers (README "Production deployment") ---
# Production is served over HTTPS, so every HTTPS-only setting is on unless DEBUG is. One switch,
# HTTPS=0, turns them off for a plain-http deployment (a laptop, the load test, the test suite);
# each can still be set on its own.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading asks the browser vendors to hard-code HTTPS for the whole registrable domain (a
# department's gov.cn domain, not ours to commit), so it is opt-in; check --deploy's reminder
# about it (security.W021) is silenced below only while it is deliberately off.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a reverse proxy that terminates TLS on another host: the header the proxy sets, e.g.
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto. Only set it when the proxy always overwrites that
# header, or a client could claim HTTPS. (Gunicorn already trusts X-Forwarded-Proto from
# 127.0.0.1, a proxy on the same machine; FORWARDED_ALLOW_IPS widens that.)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "fundmgr.errors.csrf_failure"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp 4): only our own scripts, styles, images and fonts. No
# inline <script>, no onclick=, no style="" anywhere: templates use static/js/app.js and classes
# in static/css/app.css; htmx's own indicator <style> is switched off in base.html's htmx-config.
# The dashboard charts are inline SVG with presentation attributes (fill=...), which CSP allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "csp",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "fundmgr",
    "units",
    "projects",
    "indicators",
]

MIDDLEWARE = [
    "fundmgr.middleware.FailedRequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fundmgr.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fundmgr.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "fundmgr.wsgi.application"

# The admin's history pages are read-only: a revert would write the ledger around the services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# SQLite is the embedded default so a newcomer needs no server; DATABASE_URL selects
# PostgreSQL, the production engine.
_database_url = env_str("DATABASE_URL")
# WAL: readers never wait for the writer. A big import (a background job) writes in one long
# transaction; in SQLite's default rollback journal, once that transaction spills to the file every
# reader is locked out until it ends, and the job's progress page failed with "database is locked".
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL"}
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL compiles a query whose estimated cost passes jit_above_cost: for the province
        # view's per-item query at 1,000,000 expenditures that took 607 of its 750 ms, every time.
        # These are short OLTP queries; PG_JIT=1 gives the server's own setting back.
        if not env_bool("PG_JIT", default=False):
            options = DATABASES["default"].setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "fundmgr.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache (fundmgr.lib.pagecache): keyed by the department-year's ledger version, so a write
# makes stale entries unreachable at once; CACHE_TTL is only a safety net that lets Redis forget
# entries no version reaches any more. Local memory (one process's own) is the embedded default;
# CACHE_URL (or REDIS_URL) selects Django's Redis backend, shared by every app process;
# CACHE_KEY_PREFIX keeps two deployments sharing one Redis database apart.
# A running background job whose worker has written no progress for this long is taken as dead
# (its worker killed): it is shown, and marked, as failed (fundmgr.jobs.job_fail_if_stale).
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 5 * 60)

CACHE_TTL = env_int("CACHE_TTL", 7 * 24 * 60 * 60)
_cache_url = env_redis_url("CACHE_URL", "REDIS_URL")
_cache_common = {"TIMEOUT": CACHE_TTL, "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "")}
if _cache_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url, **_cache_common}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 500)},  # ~50 KB a page: ~25 MB a process
            **_cache_common,
        }
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fundmgr.accounts.MinimumLengthValidator"},  # Django's, with a message in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
# A username is locked from one client address only, so that a guesser elsewhere cannot lock a
# colleague out. Behind a reverse proxy the client's address is read from X-Forwarded-For, and only
# when TRUSTED_PROXY_COUNT (the number of proxies that append to it) says so (fundmgr.accounts).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "fundmgr.accounts.client_ip_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")  # where collectstatic writes
# Uploaded files (佐证材料, indicators.evidence) are kept through Django's storage API: under var/
# by default; in an S3-compatible bucket (django-storages, `pip install .[s3]` for boto3) when
# S3_BUCKET is set. They are never served from a public URL, only by the download view, which
# checks the reader's access first: the bucket stays private and no MEDIA_URL is set.
FILES_DIR = Path(env_str("FILES_DIR") or VAR_DIR / "files")
# Where a background job on SQLite notes its progress for the pages while its transaction holds the
# database (fundmgr.jobs.progress_note): beside the database, on the one machine of such a deployment.
JOB_PROGRESS_DIR = Path(env_str("JOB_PROGRESS_DIR") or VAR_DIR / "progress")
S3_BUCKET = env_str("S3_BUCKET", "").strip()
_s3_settings = {
    # setting -> django-storages' S3Storage option; the keys may be left out for an instance role
    "S3_ENDPOINT_URL": "endpoint_url",  # e.g. https://oss-cn-hangzhou.aliyuncs.com or a MinIO address
    "S3_REGION": "region_name",
    "S3_ACCESS_KEY_ID": "access_key",
    "S3_SECRET_ACCESS_KEY": "secret_key",  # a secret: no default
    "S3_PREFIX": "location",  # a folder inside the bucket
    "S3_ADDRESSING_STYLE": "addressing_style",  # "path" for most MinIO set-ups
}
_s3_options = {option: env_str(name).strip() for name, option in _s3_settings.items() if (env_str(name) or "").strip()}
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            **_s3_options,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif _s3_options:
    raise ImproperlyConfigured(f"S3_BUCKET must be set with {', '.join(sorted(_s3_settings))}")
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(FILES_DIR)}}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("STATIC_MANIFEST", default=not DEBUG)

# django-tables2's own table.html, its header, row and footer loops written in Python (fundmgr_tables):
# the same markup at a fraction of the cost. The template loaders are Django's default, which
# caches parsed templates (in DEBUG too) when TEMPLATES names no loaders.
DJANGO_TABLES2_TEMPLATE = "fundmgr/table.html"

# Domain settings (DOMAIN.md sections 2 and 4).
# 三重一大: spending at or above this amount waits for the finance office's approval.
APPROVAL_THRESHOLD = env_decimal("APPROVAL_THRESHOLD", Decimal("50000.00"))
# An item lags when execution rate / 序时进度 is below LAG_YELLOW, and is red below LAG_RED.
LAG_YELLOW = env_decimal("LAG_YELLOW", Decimal("0.80"))
LAG_RED = env_decimal("LAG_RED", Decimal("0.60"))
# The ledger formulas (共性指标取数公式) this province uses: keys of indicators.formulas.FORMULAS,
# comma-separated; unset: all of them. An unknown key fails the system check indicators.E001.
LEDGER_FORMULAS = env_list("LEDGER_FORMULAS", None)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# 佐证材料 (indicators.evidence): the size of one file, and how many files one indicator, or one
# evaluation (an item's, the department's), may carry.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 20)
if EVIDENCE_MAX_BYTES < 1 or EVIDENCE_MAX_FILES < 1:
    raise ImproperlyConfigured("EVIDENCE_MAX_BYTES and EVIDENCE_MAX_FILES must be at least 1")

# E-mail (manage.py send_alerts, the 序时进度预警 digests). The console backend prints mails to
# stdout, so nothing leaves the machine until EMAIL_BACKEND names the SMTP backend
# ("django.core.mail.backends.smtp.EmailBackend") and EMAIL_HOST etc. are set in the environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")  # a secret: no default but empty
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# An upload larger than IMPORT_MAX_BYTES (EVIDENCE_MAX_BYTES for a 佐证材料) is never spooled to
# disk beyond that size.
FILE_UPLOAD_HANDLERS = [
    "fundmgr.workbook.upload.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Data rows of all sheets together; the reader stops at the first row past it. A 200,000-row year
# imports in about half a minute (benchmarks/import_workbook.py).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 500_000)
# A workbook is a zip: its members may inflate to at most this many bytes in all, checked on the
# zip directory before openpyxl reads anything (a zip bomb is refused by a bounded check).
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024)
# A dry-run upload not confirmed within this many hours is deleted from the default storage's uploads/
# (by `manage.py expire_uploads`, and by the upload page as it is used).
UPLOAD_TTL_HOURS = env_int("UPLOAD_TTL_HOURS", 24)
if UPLOAD_TTL_HOURS < 1:
    raise ImproperlyConfigured(f"UPLOAD_TTL_HOURS must be at least 1, got {UPLOAD_TTL_HOURS}")

# Background work (django-tasks, README "Background work"): the database backend, so a task, its
# progress (fundmgr.models.Job) and its result are shared by every process; `make run` starts the
# worker (manage.py db_worker) beside runserver. Uploads and results go through the default storage.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Larger work than this runs as a task with a progress bar; smaller work stays in the request.
IMPORT_TASK_ROWS = env_int("IMPORT_TASK_ROWS", 2000)  # expenditure rows of an uploaded workbook
EXPORT_TASK_ROWS = env_int("EXPORT_TASK_ROWS", 20_000)  # expenditures behind an export
REVIEW_TASK_FILES = env_int("REVIEW_TASK_FILES", 5)  # files uploaded to one review batch (a zip is one)

DEMO_PASSWORD = env_str("DEMO_PASSWORD") or "fundmgr-demo"
DEMO_PASSWORD_EXPLICIT = bool(env_str("DEMO_PASSWORD"))

# One JSON object a line on stderr (fundmgr/logs.py): failed requests, imports, approvals,
# month closings and lockouts. stderr, not stdout: the commands that print JSON (budget_summary,
# close_year, check_self_evaluation) print nothing else there, whatever they log. Failed requests are logged by fundmgr.middleware with the user
# and department; django.request only adds the traceback of a 500.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "fundmgr.lib.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes.apps": {"level": "WARNING"},  # its start-up banner would precede every command's output
    },
}

# --- logins ---
# Demo logins (caiwu, kuaiji1, kuaiji2, lingdao, waibu) are refused unless DEBUG is on or
# DEMO_PASSWORD was set explicitly: the guard backend sits between axes and ModelBackend.
DEMO_USERNAMES = ("caiwu", "kuaiji1", "kuaiji2", "lingdao", "waibu")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "fundmgr.accounts.DemoLoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
