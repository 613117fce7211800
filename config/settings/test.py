"""`make test`: PostgreSQL (row locks matter), eager-free Celery, in-memory email."""

from .base import *  # noqa: F403
from .base import databases_from_env, env

SECRET_KEY = "test-only-key"
DEBUG = False
# `make test` passes the server scripts/services-up found or started (system or embedded).
DATABASES = databases_from_env(
    env("DATABASE_URL", default="postgres://redress@127.0.0.1:5432/redress")
)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Tasks run in-process when enqueued; enqueueing still happens only on commit.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Per-process and empty at start; tests that exercise the form's rate limits set small ones
# with override_settings, so everything else may submit the public form freely.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDRESS_SUBMIT_LIMIT_PER_IP = "10000/h"
REDRESS_SUBMIT_LIMIT_PER_EMAIL = "10000/h"
REDRESS_CUSTOMER_ACTION_LIMIT_PER_COMPLAINT = "10000/h"
REDRESS_CUSTOMER_ACTION_LIMIT_PER_IP = "10000/h"
REDRESS_PASSWORD_RESET_LIMIT = "10000/h"
REDRESS_BASE_URL = "http://testserver"
# The API's throttles stay out of the way of the suite; tests/complaints/api/test_throttles.py
# sets small rates itself.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"token": "100000/min", "anon": "100000/min"},
}

# Tests that spool set their own folder (the fault tests pass theirs to gunicorn).
REDRESS_SPOOL_DIR = env("REDRESS_SPOOL_DIR", default="/tmp/redress-test-spool")
