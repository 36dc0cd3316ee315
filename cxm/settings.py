"""cxm settings. Every deployment value comes from the environment, with defaults that are safe:
no REDIS_URL means Celery runs tasks eagerly in-process, no DATABASE_URL means a SQLite file."""

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest (>= 8.2) exports PYTEST_VERSION for the whole session.
TESTING = "PYTEST_VERSION" in os.environ

SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_FROM_ENV = bool(SECRET_KEY)
if not SECRET_KEY:
    # Build-time commands (makemigrations, compile_translations, collectstatic) need no secret. Serving does:
    # cxm.security.require_secret_key stops web, worker and beat processes without one when DEBUG is off,
    # and `check --deploy` reports it.
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "cxm",
    "apps.accounts",
    "apps.workspaces",
    "apps.touchpoints",
    "apps.customers",
    "apps.surveys",
    "apps.nps",
    "apps.feedback",
    "apps.kpis",
    "apps.api",
    "apps.errc",
    "apps.webhooks",
    "apps.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after SecurityMiddleware, so every response (errors, static files) carries the policy.
    "cxm.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# The customer-facing survey pages (/s/, /r/: cxm/handlers.py) are anonymous and cookie-free: they keep
# what every response needs (anything added above included) and skip static files, sessions, CSRF cookies,
# users, messages and htmx.
PUBLIC_MIDDLEWARE = [path for path in MIDDLEWARE if path not in {
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
}]

ROOT_URLCONF = "cxm.urls"
WSGI_APPLICATION = "cxm.wsgi.application"
ASGI_APPLICATION = "cxm.asgi.application"

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
                "apps.workspaces.context_processors.workspace_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend with a health check that needs no round trip while the connection is fine (cxm/postgresql).
    DATABASES["default"]["ENGINE"] = "cxm.postgresql"
    # The few statements every survey submission runs go through cxm/prepared.py's server-binding cursor, and a
    # statement run twice on a connection is then prepared: PostgreSQL skips parsing and planning it, which was
    # most of its CPU on that path (the survey's JOIN: 228 µs planned each time, 18 µs prepared). Every other
    # query binds on the client as Django does by default, so none of them is affected.
    # DATABASE_PREPARE_THRESHOLD= (empty) turns preparing off, for a transaction-pooling PgBouncer before 1.21.
    _threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "2")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = int(_threshold) if _threshold else None
# Optional streaming replica of the same database: the dashboard's rollup reads go there (cxm/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = "cxm.postgresql"
    if DATABASES["replica"]["ENGINE"] == DATABASES["default"]["ENGINE"]:
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # The test run has no second server: the replica is the default database under another name.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cxm.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.UsernameOrEmailBackend"]
# cxm's subclasses of Django's validators: the same rules, with messages that read well in Korean.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "apps.accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "apps.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "apps.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "apps.accounts.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (apps/accounts/throttle.py), counted in the cache: Redis when REDIS_URL is set.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
PASSWORD_RESETS_PER_EMAIL = int(os.environ.get("PASSWORD_RESETS_PER_EMAIL", "3"))
PASSWORD_RESETS_PER_ADDRESS = int(os.environ.get("PASSWORD_RESETS_PER_ADDRESS", "10"))
PASSWORD_RESET_WINDOW_SECONDS = 3600
if TESTING:
    # Hashing cost is not what the suite tests; the production hasher stays the default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Korean and English everywhere a person reads.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
FORMAT_MODULE_PATH = ["cxm.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_TZ = True
TIME_ZONES = sorted(zoneinfo.available_timezones())

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Upload limits. A larger file is refused with a message while it is received (cxm/uploads.py), never
# stored; a logo is also checked to be an image Pillow can read, of at most LOGO_MAX_PIXELS pixels.
CSV_UPLOAD_MAX_BYTES = int(os.environ.get("CSV_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
LOGO_MAX_BYTES = int(os.environ.get("LOGO_MAX_BYTES", str(512 * 1024)))
LOGO_MAX_PIXELS = int(os.environ.get("LOGO_MAX_PIXELS", str(4096 * 4096)))

# Redis is optional: without it, tasks run eagerly in the web process and the cache is local.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {"default": {"BACKEND": "cxm.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing reads task results; storing them would make every enqueue touch Redis twice (and hang when
# it is down).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang when Redis is away: fail fast, the caller decides what to do.
# A message a worker took and never acknowledged (acks_late: it died mid-job) goes back to the queue after
# the visibility timeout; a worker looks for such messages every restore interval. The fault tests shorten both.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 1,
    "visibility_timeout": float(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": float(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
# Beat sends its jobs here; a test gives its own worker and beat a private queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# How often beat looks for rollup days left dirty; a test shortens it to a few seconds.
KPI_DIRTY_SLICE_SECONDS = float(os.environ.get("KPI_DIRTY_SLICE_SECONDS", "120"))
CELERY_BEAT_SCHEDULE = {
    # Recompute rollup days marked dirty whose on-commit message was lost (e.g. Redis was down).
    "process-dirty-kpi-slices": {"task": "apps.kpis.tasks.process_dirty_slices",
                                 "schedule": KPI_DIRTY_SLICE_SECONDS},
    "reconcile-kpi-rollups": {"task": "apps.kpis.tasks.reconcile_rollups", "schedule": crontab(hour=2, minute=30)},
    "purge-api-idempotency-records": {"task": "apps.api.tasks.purge_idempotency_records",
                                      "schedule": crontab(hour=3, minute=40)},
    "feedback-check-alert-rules": {"task": "apps.feedback.tasks.check_alert_rules",
                                   "schedule": crontab(minute="*/10")},
    "feedback-analyse-pending": {"task": "apps.feedback.tasks.analyse_pending_feedback",
                                 "schedule": crontab(minute="*/15")},
    "feedback-reconcile": {"task": "apps.feedback.tasks.reconcile_feedback", "schedule": crontab(hour=3, minute=50)},
    # Each workspace's own sentiment model, refitted where enough new scored comments came in.
    "feedback-refit-text-models": {"task": "apps.feedback.tasks.refit_text_models", "schedule": crontab(minute=35)},
    # Which themes are found in each workspace's data (frequent against general Korean, with enough comments).
    "feedback-discover-themes": {"task": "apps.feedback.tasks.discover_all_themes", "schedule": crontab(minute=40)},
    "errc-propose-items": {"task": "apps.errc.tasks.propose_all", "schedule": crontab(hour=4, minute=20)},
    # Webhook retries that are due, and first attempts whose on-commit message was lost.
    "webhooks-send-due": {"task": "apps.webhooks.tasks.send_due_webhooks",
                          "schedule": float(os.environ.get("WEBHOOK_POLL_SECONDS", "30"))},
    "webhooks-purge-log": {"task": "apps.webhooks.tasks.purge_webhook_deliveries",
                           "schedule": crontab(hour=4, minute=40)},
    "surveys-maintain-response-partitions": {"task": "apps.surveys.tasks.maintain_response_partitions",
                                             "schedule": crontab(hour=1, minute=10)},
    "surveys-create-due-waves": {"task": "apps.surveys.tasks.create_due_waves", "schedule": crontab(minute="*/15")},
    "surveys-expire-partial-responses": {"task": "apps.surveys.tasks.expire_partial_responses",
                                         "schedule": crontab(minute=15)},
    "workspaces-purge-deleted": {"task": "apps.workspaces.tasks.purge_deleted_workspaces",
                                 "schedule": crontab(minute=15)},
    "workspaces-purge-exports": {"task": "apps.workspaces.tasks.purge_expired_exports",
                                 "schedule": crontab(minute=45)},
    # E-mail retries that are due, first attempts whose sender never ran, claims of a sender that died.
    "outbox-send-due-emails": {"task": "apps.outbox.tasks.send_due_emails",
                               "schedule": float(os.environ.get("EMAIL_POLL_SECONDS", "30"))},
    "purge-customer-import-files": {"task": "apps.customers.tasks.purge_import_files",
                                    "schedule": crontab(hour=3, minute=10)},
}
# Workspace data exports (ZIP files with personal data): outside MEDIA_ROOT, never served as static files;
# deleted after the retention. A workspace whose deletion is requested is purged after the grace period.
WORKSPACE_EXPORT_ROOT = Path(os.environ.get("WORKSPACE_EXPORT_ROOT", BASE_DIR / "exports"))
WORKSPACE_EXPORT_RETENTION_HOURS = int(os.environ.get("WORKSPACE_EXPORT_RETENTION_HOURS", "48"))
WORKSPACE_DELETION_GRACE_DAYS = int(os.environ.get("WORKSPACE_DELETION_GRACE_DAYS", "14"))
# Uploaded customer files hold personal data; after this many days only the import summary remains.
CUSTOMER_IMPORT_RETENTION_DAYS = int(os.environ.get("CUSTOMER_IMPORT_RETENTION_DAYS", "14"))

# Text analytics (apps/feedback): the corpus `manage.py text_model_train` learns Korean sentiment from
# (review_id,text,rating rows; ../shared/data in this project's development layout). Predicting never needs it.
TEXT_CORPUS_PATH = Path(os.environ.get("CXM_TEXT_CORPUS",
                                       BASE_DIR.parent / "shared" / "data" / "ko_reviews_train.csv.gz"))

# Webhooks (apps/webhooks). Production refuses endpoints on loopback and private networks; debug
# (`make run`) and the tests allow them, so a receiver on this machine works.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
# Attempts per delivery; the n-th retry waits base · 2^(n−1) seconds (1 min, 2, 4 … about 2 hours in all).
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "60"))
WEBHOOK_RETRY_MAX_SECONDS = int(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", str(6 * 3600)))
# Failed attempts in a row after which an endpoint is disabled and its admins are e-mailed.
WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_FAILURES", "15"))
# After a rotation the old secret still signs (a second v1) this long.
WEBHOOK_SECRET_GRACE_HOURS = int(os.environ.get("WEBHOOK_SECRET_GRACE_HOURS", "24"))
WEBHOOK_LOG_RETENTION_DAYS = int(os.environ.get("WEBHOOK_LOG_RETENTION_DAYS", "30"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST") else
    "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "media" / "outbox"))
# One SMTP conversation waits at most this long for the server (Django's default is to wait forever).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
# Attempts per e-mail; the n-th retry waits base · 2^(n−1) seconds (1 min, 2, 4 … about 4 hours in all).
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "8"))
EMAIL_RETRY_BASE_SECONDS = float(os.environ.get("EMAIL_RETRY_BASE_SECONDS", "60"))
EMAIL_RETRY_MAX_SECONDS = float(os.environ.get("EMAIL_RETRY_MAX_SECONDS", str(2 * 3600)))
# A claim older than this belongs to a sender that died mid-conversation (far above EMAIL_TIMEOUT).
EMAIL_SENDING_LEASE_SECONDS = float(os.environ.get("EMAIL_SENDING_LEASE_SECONDS", "600"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cxm <no-reply@cxm.localhost>")
# Links in e-mails need an absolute address; requests are not always at hand (Celery).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Per IP and survey; the benchmark's load generator raises it.
SURVEY_SUBMISSIONS_PER_MINUTE = int(os.environ.get("SURVEY_SUBMISSIONS_PER_MINUTE", "20"))
# How long a web process reuses a survey it looked up by its link (apps/surveys/link_lookup.py): a pause or an
# edit made through another process reaches this one within that time. 0 looks it up on every request.
SURVEY_LINK_CACHE_SECONDS = float(os.environ.get("SURVEY_LINK_CACHE_SECONDS", "1"))
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx gets the token from the page (base.html's hx-headers).
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if (DEBUG or TESTING) else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# The directive only allows a submission to the browsers' preload list (a manual step at hstspreload.org).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
