"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "escalation",
    "complaints",
    "notifications",
]

MIDDLEWARE = [
    # First: everything after it (rate limits, django-axes, logs) sees the client's address.
    "config.request_context.ClientAddressMiddleware",
    "config.request_context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.request_context.ControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees every authentication attempt the views make (sign-in, admin sign-in).
    "axes.middleware.AxesMiddleware",
]

# Behind the TLS proxy (docker-compose.yml): the header in which it gives the client's address
# (X-Real-IP); empty when gunicorn faces clients itself (make run). Never set it where clients
# can reach gunicorn directly: they could then claim any address.
REDRESS_CLIENT_ADDRESS_HEADER = env("REDRESS_CLIENT_ADDRESS_HEADER", default="")

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account,
# or from one address, that account or address is refused for AXES_COOLOFF_TIME hours; an
# admin unlocks early by deleting its row in *Axes → Access attempts*.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("REDRESS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("REDRESS_LOGIN_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per account, per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# No inline script or style anywhere (templates/ keeps to it; tests/config/test_csp.py checks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "complaints.context_processors.staff",
            ],
        },
    },
]


def databases_from_env(url: str, *, conn_max_age: int = 0) -> dict[str, dict]:
    """PostgreSQL everywhere: the engine users run is the engine the tests use.

    Each settings module reads DATABASE_URL with its own default (`make run`: the embedded
    server in var/pgdata, config/embedded_db.py; production: none, it must be set).
    """
    database = environ.Env.db_url_config(url)
    database["ATOMIC_REQUESTS"] = False
    # Short OLTP queries: JIT compilation costs more (~35 ms) than it ever saves here.
    database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    database["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=conn_max_age)
    return {"default": database}


DATABASES = databases_from_env(
    env("DATABASE_URL", default="postgres://redress@127.0.0.1:5432/redress")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Every instant is stored in UTC; the code of practice is applied in Europe/London.
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (letters, scans, .eml) live outside the web root and are never served directly.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "complaints:after_login"
LOGOUT_REDIRECT_URL = "complaints:home"

# Email goes through the notifications outbox; this is the backend the worker delivers with.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Redress <complaints@redress.localhost>")

# Celery. The default broker is kombu's filesystem transport: it needs no server and works
# across processes, so `make run` can start a real worker and beat. CELERY_BROKER_URL=redis://…
# switches to Redis with no code change.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem"):
    # The transport does not create its folder; without it every enqueue would fail.
    _BROKER_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_BROKER_DIR),
        "data_folder_out": str(_BROKER_DIR),
        # Else kombu writes its broadcast exchanges into a `control/` folder in the cwd.
        "control_folder": str(_BROKER_DIR / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat: every enforcement job (complaints.workflows.enforcement.jobs) on its own interval, in
# seconds, each overridable from the environment (REDRESS_BEAT_<JOB>_SECONDS). Each run drains
# its job within REDRESS_ENFORCE_BUDGET_SECONDS and re-enqueues itself if more is due.
REDRESS_BEAT_SECONDS = {
    job: env.float(f"REDRESS_BEAT_{job.upper()}_SECONDS", default=default)
    for job, default in {
        "outbox": 60.0,  # rows written while the broker was down are never lost
        "breaches": 60.0,
        "reminders": 300.0,
        "auto_close": 300.0,
        "adr_period": 900.0,
        "refer_by": 3600.0,
        "retention": 3600.0,
        "letters": 120.0,  # letters not rendered after commit, or that failed to render
        "rollups": 60.0,  # the dashboard folds before it reads: this keeps the backlog small
    }.items()
}
REDRESS_ENFORCE_BUDGET_SECONDS = env.float("REDRESS_ENFORCE_BUDGET_SECONDS", default=50.0)
# How long a worker may hold an outbox row in "sending" before the re-queue sweep assumes it
# died mid-send, records that attempt as not confirmed and sends it again (same Message-ID).
REDRESS_OUTBOX_CLAIM_SECONDS = env.float("REDRESS_OUTBOX_CLAIM_SECONDS", default=600.0)
# How long a new outbox row waits for a worker before that sweep hands it over again (the
# broker was down at commit, or the process died between its commit and the hand-over).
REDRESS_OUTBOX_PICKUP_SECONDS = env.float("REDRESS_OUTBOX_PICKUP_SECONDS", default=120.0)
_BEAT_ENTRY_NAMES = {
    "outbox": "outbox-requeue-stale",
    "auto_close": "complaints-auto-close",
    "adr_period": "complaints-adr-period",
    "letters": "letters-render-stale",
}
CELERY_BEAT_SCHEDULE = {
    _BEAT_ENTRY_NAMES.get(job, f"complaints-{job.replace('_', '-')}"): {
        "task": "escalation.tasks.enforce_job",
        "schedule": seconds,
        "args": [job],
    }
    for job, seconds in REDRESS_BEAT_SECONDS.items()
}
# Web submissions spooled to disk while the database was down (complaints.workflows.spool).
CELERY_BEAT_SCHEDULE["web-submissions-spool-replay"] = {
    "task": "complaints.tasks.spool_replay_task",
    "schedule": env.float("REDRESS_BEAT_SPOOL_SECONDS", default=60.0),
}
# The rate limits' and double-submit guard's tables (complaints/guards.py) stay small.
CELERY_BEAT_SCHEDULE["guards-prune"] = {
    "task": "complaints.tasks.guards_prune_task",
    "schedule": 3600.0,
}
if env("REDRESS_IMAP_URL", default=""):
    CELERY_BEAT_SCHEDULE["email-imap-poll"] = {
        "task": "complaints.tasks.email_imap_poll_task",
        "schedule": 60.0,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "complaints.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "complaints.api.pagination.ClockCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "complaints.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "complaints.api.throttles.TokenRateThrottle",
        "complaints.api.throttles.AnonClientRateThrottle",
    ],
    # Per token (or signed-in user) and per anonymous client address; REDRESS_API_RATE_* override.
    "DEFAULT_THROTTLE_RATES": {
        "token": env("REDRESS_API_RATE_TOKEN", default="1200/min"),
        "anon": env("REDRESS_API_RATE_ANON", default="60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Redress API",
    "DESCRIPTION": (
        "Complaints, their clocks and every lifecycle action, for a provider's CRM, telephony "
        "and billing. Permissions are exactly the staff console's and the customer portal's."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from this site (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "complaints.api.schema.every_operation_documents_bad_input",
    ],
    "ENUM_NAME_OVERRIDES": {
        "IdentityQuestionEnum": "complaints.api.serializers.IDENTITY_CHOICES",
        "ContactMethodEnum": "complaints.models.ContactMethod",
    },
}

# Inbound email: when set (imaps://user:pass@host/INBOX), beat polls the mailbox and moves
# each processed message to REDRESS_IMAP_DONE_FOLDER.
REDRESS_IMAP_URL = env("REDRESS_IMAP_URL", default="")
REDRESS_IMAP_DONE_FOLDER = env("REDRESS_IMAP_DONE_FOLDER", default="Processed")

# The code of practice this provider runs, by slug (the demo runs soVision's).
REDRESS_SITE_NAME = env("REDRESS_SITE_NAME", default="Redress")

# Absolute links in emails (the follow link) start here: the site as customers reach it.
# `make run` serves on REDRESS_PORT (default 8000), so the default follows it.
REDRESS_PORT = env.int("REDRESS_PORT", default=8000)
REDRESS_BASE_URL = env("REDRESS_BASE_URL", default=f"http://127.0.0.1:{REDRESS_PORT}").rstrip("/")

# The public form's rate limits ("<count>/<s|m|h|d>", or "off"): a submission over either limit
# is held for a person to log, never dropped (complaints.workflows.submissions).
REDRESS_SUBMIT_LIMIT_PER_IP = env("REDRESS_SUBMIT_LIMIT_PER_IP", default="10/h")
REDRESS_SUBMIT_LIMIT_PER_EMAIL = env("REDRESS_SUBMIT_LIMIT_PER_EMAIL", default="5/h")

# The rate-limit counters and the form's double-submit guard must be shared by every web
# process: Redis when there is one (REDIS_CACHE_URL, else a redis:// broker), otherwise files
# under var/cache, which gunicorn workers and `make run` share without a server.
_REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if _REDIS_CACHE_URL:
    CACHES = {
        "default": {
            # One redis.Redis client per pool, not per call (config/cache.py).
            "BACKEND": "config.cache.PooledClientRedisCache",
            "LOCATION": _REDIS_CACHE_URL,
            "KEY_PREFIX": "redress",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("REDRESS_CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            "KEY_PREFIX": "redress",
        }
    }

# One JSON object per line with the request id (config/request_context.py) when
# DJANGO_LOG_FORMAT=json (production's default); plain text otherwise.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_context.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.request_context.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# Customer actions on a follow page (add information, complain about the code…): per
# complaint and per client address, in PostgreSQL like the form's limits.
REDRESS_CUSTOMER_ACTION_LIMIT_PER_COMPLAINT = env(
    "REDRESS_CUSTOMER_ACTION_LIMIT_PER_COMPLAINT", default="5/h"
)
REDRESS_CUSTOMER_ACTION_LIMIT_PER_IP = env("REDRESS_CUSTOMER_ACTION_LIMIT_PER_IP", default="20/h")
REDRESS_NEW_LINK_LIMIT = env("REDRESS_NEW_LINK_LIMIT", default="10/h")
# Password-reset emails per address asked for, and per client address.
REDRESS_PASSWORD_RESET_LIMIT = env("REDRESS_PASSWORD_RESET_LIMIT", default="3/h")
# The public form's write-ahead spool while PostgreSQL is unreachable (complaints/workflows/
# spool.py): local disk, outside the web root and MEDIA_ROOT; replayed by beat every minute.
REDRESS_SPOOL_DIR = env("REDRESS_SPOOL_DIR", default=str(BASE_DIR / "var" / "spool"))
# What held or failed submissions may keep on disk (their text is always kept).
REDRESS_HELD_FILES_PER_CLIENT_BYTES = env.int(
    "REDRESS_HELD_FILES_PER_CLIENT_BYTES", default=10 * 1024 * 1024
)
REDRESS_HELD_FILES_TOTAL_BYTES = env.int(
    "REDRESS_HELD_FILES_TOTAL_BYTES", default=1024 * 1024 * 1024
)
