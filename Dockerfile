# One image for every Redress process: web (gunicorn), worker and beat (celery) and the one-shot
# migrate job. docker-compose.yml picks the process with `command:`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint (deadlock/ADR letters) loads Pango and HarfBuzz with dlopen at import time; the
# wheels do not bundle them. harfbuzz-subset is optional for WeasyPrint but keeps PDFs small
# (embedded fonts are subset). DejaVu is the fallback font when a template names none we have.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A home directory so fontconfig and celery have somewhere writable for their caches.
RUN groupadd --system --gid 10001 redress \
    && useradd --system --uid 10001 --gid redress --create-home --home-dir /home/redress \
        --shell /usr/sbin/nologin redress

WORKDIR /app

# Requirements first: code edits do not invalidate the dependency layer.
COPY requirements.txt .
RUN pip install -r requirements.txt

# The code stays root-owned (the app cannot rewrite itself); only var/media is the app's.
COPY . .
RUN chmod 0755 docker/entrypoint.sh

# Static files are baked in and served by WhiteNoise. Production settings refuse to import
# without these variables; nothing here connects to them, so build-only placeholders suffice.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media \
    && chown redress:redress var/media

USER redress

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
