#!/bin/sh
# ENTRYPOINT of the Redress image; the process to run (gunicorn, celery worker/beat, migrate)
# arrives as "$@" from docker-compose.yml's `command:` or the Dockerfile's CMD.
#
# Migrations are not run here: with several web replicas each would race to migrate. The
# compose `migrate` service runs them once and web/worker/beat wait for it to succeed.
set -eu

# Uploads (letters, scans, .eml) must not be world-readable inside the volume.
umask 0027

# exec: the process replaces this shell as PID 1, so SIGTERM from `docker stop` reaches
# gunicorn and celery directly and they shut down gracefully (celery finishes its task).
exec "$@"
