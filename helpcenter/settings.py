"""Settings come from the environment (django-environ) and fail closed.

`DJANGO_DEBUG` defaults to off, and then the secret key, the database and the broker must be named
(`DATABASE_URL=sqlite:///...` and `CELERY_BROKER_URL=memory://` are accepted when said explicitly).
`make run` sets the embedded development environment itself: DEBUG on, SQLite in var/, Celery tasks
in-process, emails written as files under var/mail/."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from helpcenter.observability import logging_config, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def required_in_production(name: str) -> str:
    """The variable's value; with DEBUG off an unset one stops start-up with one line naming it."""
    value = env.str(name, default="")
    if not value and not DEBUG:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_DEBUG is off (see the production checklist in "
            "README.md)."
        )
    return value


SECRET_KEY = required_in_production("DJANGO_SECRET_KEY") or (
    "django-insecure-embedded-default-only-for-local-development-0123456789"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "helpcenter.apps.HelpCenterAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_guid",
    "storages",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "anymail",
    "helpcenter.mail",
    "helpcenter.inbound",
    "accounts",
    "plans",
    "tickets",
    "helpcenter.webhooks",
    "knowledge",
    "helpcenter.demo",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id (X-Request-ID in and out).
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "helpcenter.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    # The signed-in person's time zone for everything the request renders.
    "helpcenter.timezones.ReaderTimeZoneMiddleware",
    # Before the CSRF check reads the body: an oversized upload is refused with 413 unread.
    "helpcenter.uploads.UploadLimitMiddleware",
    # Before anything reads a value: control characters in the path, query or form are a 400.
    "helpcenter.security.RejectControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Every page needs a login unless its view says `login_not_required` (sign-up, password
    # reset, the unsubscribe link); the admin checks its own (HelpCenterAdminSite).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into the page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpcenter.urls"
WSGI_APPLICATION = "helpcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpcenter.navigation.navigation",
            ],
            "libraries": {
                "when": "helpcenter.templatetags.when",
                "links": "helpcenter.templatetags.links",
                "once": "helpcenter.templatetags.once",
            },
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        required_in_production("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production (reconnecting costs more than most pages); a connection
# is checked before reuse, so a restarted database does not fail the next request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent users on the embedded default: WAL lets readers run beside the writer, writers
    # take the lock when their transaction starts and wait for it instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "email_local_part", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login (customer and admin) before the password is even tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# Datetimes Django renders itself (the admin) name the reader's zone: helpcenter/formats/en.
FORMAT_MODULE_PATH = ["helpcenter.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Attachments in object storage, so that any web node serves any download. Credentials come
# from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance's role).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": None,
            "file_overwrite": False,
            # Downloads stream through the access-checked view; a URL, if ever made, is short.
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }

# The cache behind sessions (cached_db: read from the cache, written through to the database),
# login-failure counters and rate limits. Without CACHE_URL each process keeps its own, which
# suits one web process; with several, point CACHE_URL at Redis so they share the counters.
CACHES = {
    "default": env.cache_url("CACHE_URL")
    if env.str("CACHE_URL", default="")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same cache, reusing its Redis client (helpcenter/cache.py).
    CACHES["default"]["BACKEND"] = "helpcenter.cache.RedisCache"
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env.str("CACHE_URL", default="")
    else "django.contrib.sessions.backends.db"
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: every message goes through the outbox and a Celery task, never from a request.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(environ.Env.email_url_config(EMAIL_URL))
    if EMAIL_BACKEND.endswith("filebased.EmailBackend"):  # noqa: F821 - set by the line above
        # django-environ drops the leading slash of filemail:///absolute/path.
        EMAIL_FILE_PATH = "/" + EMAIL_FILE_PATH.lstrip("/")  # noqa: F821
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="TiDB Cloud Help Center <help@support.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_TEAM_EMAIL = env.str("SUPPORT_TEAM_EMAIL", default="support-team@support.example")
SALES_TEAM_EMAIL = env.str("SALES_TEAM_EMAIL", default="sales@support.example")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Celery: with the `memory://` broker (the embedded default) the tasks run in-process. With a
# real broker, run `make worker` and `make beat`; the web process only publishes, never talks SMTP.
CELERY_BROKER_URL = required_in_production("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
# Deployments (or test runs) that share one Redis keep apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when it finished, and put back if its worker process dies; the
# outbox claim makes the second run a no-op when the first one did send.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing happens inside web requests: a refused or silent broker must fail within about a
# second and a half, not hang the page. The email waits in the outbox for the sweep instead.
# (socket_timeout stays above kombu's 1 s BRPOP timeout so the worker's polling is unaffected.)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-emails": {
        "task": "helpcenter.mail.tasks.outbound_email_sweep",
        "schedule": crontab(minute="*"),
        # A sweep that no worker picked up within the minute is replaced by the next one.
        "options": {"expires": 50},
    },
    "sla-alerts": {
        "task": "tickets.tasks.sla_alerts_send",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "requeue-stuck-webhooks": {
        "task": "helpcenter.webhooks.tasks.webhook_sweep",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "poll-inbound-email": {
        "task": "helpcenter.inbound.tasks.inbound_email_poll",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "purge-inbound-email-raw": {
        "task": "helpcenter.inbound.tasks.inbound_email_purge",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": 60 * 60},
    },
    "monthly-support-reports": {
        "task": "tickets.tasks.support_reports_monthly",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
}
# Attempts per email before it is marked failed (then an administrator can resend it); the
# wait doubles from the base after each failed attempt: 30 s, 1 min, 2 min, 4 min, 8 min.
OUTBOUND_EMAIL_MAX_ATTEMPTS = env.int("OUTBOUND_EMAIL_MAX_ATTEMPTS", default=6)
OUTBOUND_EMAIL_RETRY_BASE_SECONDS = env.int("OUTBOUND_EMAIL_RETRY_BASE_SECONDS", default=30)
# A mail loop stops here: one address gets at most this many emails an hour about one request.
OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT = env.int(
    "OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT", default=10
)
# Applied to each body when it is sent: reset and sign-up links are made then, never stored.
OUTBOUND_EMAIL_BODY_FILTERS = ["accounts.links.secret_link_fill"]
# /readyz/ reports unavailable when an email has waited longer than this to be sent.
OUTBOUND_EMAIL_MAX_PENDING_SECONDS = env.int("OUTBOUND_EMAIL_MAX_PENDING_SECONDS", default=600)

# Inbound email: an IMAP mailbox polled every minute (imaps://user:pass@host:993/INBOX) and/or a
# provider's webhook at /inbound/<provider>/ (django-anymail; HTTP basic auth "user:password"
# from INBOUND_WEBHOOK_SECRET, off while unset). Replies to notifications go to
# support+<token>@INBOUND_EMAIL_DOMAIN; mail to INBOUND_TECHNICAL_ADDRESS opens technical requests.
INBOUND_IMAP_URL = env.str("INBOUND_IMAP_URL", default="")
INBOUND_IMAP_BATCH = env.int("INBOUND_IMAP_BATCH", default=25)
INBOUND_IMAP_TIMEOUT = env.int("INBOUND_IMAP_TIMEOUT", default=20)
INBOUND_EMAIL_DOMAIN = env.str("INBOUND_EMAIL_DOMAIN", default="support.example" if DEBUG else "")
INBOUND_TECHNICAL_ADDRESS = env.str(
    "INBOUND_TECHNICAL_ADDRESS",
    default=f"technical@{INBOUND_EMAIL_DOMAIN}" if INBOUND_EMAIL_DOMAIN else "",
)
# Larger messages are kept as headers only and answered with the limits.
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=40 * 1024 * 1024)
INBOUND_EMAIL_HANDLER = "tickets.inbound.inbound_email_handle"
ANYMAIL = {"WEBHOOK_SECRET": env.list("INBOUND_WEBHOOK_SECRET", default=[])}
if env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""):
    ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] = env.str("MAILGUN_WEBHOOK_SIGNING_KEY")

# Webhooks: signed POSTs from the worker, retried like emails (30 s, 1 min, 2 min, ... then
# failed, with a redeliver button). Plain http to this machine only for development and tests.
WEBHOOK_ALLOW_LOCAL_HTTP = env.bool("WEBHOOK_ALLOW_LOCAL_HTTP", default=DEBUG)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)

# Attachments. A request body larger than the files allowed plus the form is refused with 413
# while it streams in (helpcenter/uploads.py); the non-file part has its own limit.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_PER_COMMENT = env.int("ATTACHMENT_MAX_PER_COMMENT", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "helpcenter.uploads.RequestSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o640

# Security: `manage.py check --deploy` is clean with DJANGO_DEBUG off.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "helpcenter.views.csrf_failure"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers and container health checks ask over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    # A minute until the site is known to work over HTTPS; then raise it (README checklist).
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading is a promise to browsers that is slow to take back: an operator opts in.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Throttled authentication (django-axes, counters in the cache). Five failures for one account
# from one address lock that pair for 15 minutes; ADDRESS_LOCKOUT_FAILURES failures from one
# address across accounts lock the address. The lockout page looks the same for every address.
AXES_HANDLER = "helpcenter.security.AddressAndAccountCacheHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
ADDRESS_LOCKOUT_FAILURES = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "helpcenter.security.login_identifier"
AXES_CLIENT_IP_CALLABLE = "helpcenter.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Attempts and lockouts are in the security events (SecurityEvent), not in axes' own tables.
AXES_ENABLE_ADMIN = False
# A locked-out client that keeps trying does not push the end of its lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Reverse proxies in front of the site that append to X-Forwarded-For (0: trust REMOTE_ADDR
# only, so nobody can choose their own address by sending the header).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password reset and sign-up: per client address and per target email address.
RATELIMIT_VIEW = "helpcenter.security.rate_limited"
RATELIMIT_PER_ADDRESS = env.str("RATELIMIT_PER_ADDRESS", default="10/h")
RATELIMIT_PER_EMAIL = env.str("RATELIMIT_PER_EMAIL", default="3/h")

# Two factors for support engineers and superusers (django-otp): TOTP apps and one-time
# recovery codes. Codes are 6 digits every 30 seconds (SHA-1), the authenticator-app default.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="TiDB Cloud Help Center")
SIGN_UP_LINK_MAX_AGE = timedelta(hours=48)
UNSUBSCRIBE_LINK_MAX_AGE = timedelta(days=90)
RATING_LINK_MAX_AGE = timedelta(days=90)

# Content-Security-Policy on every response (django-csp): nothing inline, nothing foreign.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    },
}

# Time, level, logger and request id on every line; LOG_FORMAT=json for one JSON object a line.
# The Celery worker and beat load the same configuration (helpcenter/celery.py).
LOGGING = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"), log_format=env.str("LOG_FORMAT", default="text")
)
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "EXPOSE_HEADER": False,
}
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_init(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))

# The API (/api/v1/): personal tokens or the session (with CSRF), per token/user throttles in
# the default cache, the schema by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpcenter.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "helpcenter.api.permissions.TokenScopeAllows",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "helpcenter.api.throttling.ReadThrottle",
        "helpcenter.api.throttling.WriteThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "helpcenter.api.parsers.JSONOrFormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpcenter.api.errors.exception_handler",
}
API_THROTTLE_RATES = {
    "read": env.str("API_THROTTLE_READ_RATE", default="600/min"),
    "write": env.str("API_THROTTLE_WRITE_RATE", default="60/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TiDB Cloud Help Center API",
    "DESCRIPTION": (
        "File and follow support requests from scripts and monitoring. Authenticate with "
        "`Authorization: Bearer <token>` (create a token on the API tokens page)."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's scripts and styles are served from our static files (no CDN, CSP-clean).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpcenter.api.schema.add_error_responses",
    ],
}

PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="plans.payments.ValidatingGateway")
