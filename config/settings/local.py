"""`make run`: the embedded PostgreSQL in var/pgdata, the filesystem broker, console email."""

from config.embedded_db import server_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, databases_from_env, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
# `make run` starts the server and exports DATABASE_URL; a bare `manage.py shell` while it runs
# finds the same server through its data folder.
DATABASES = databases_from_env(
    env("DATABASE_URL", default=server_database_url(BASE_DIR / "var" / "pgdata"))
)
