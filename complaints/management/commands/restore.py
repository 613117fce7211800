"""`manage.py restore DIR`: put back what `manage.py backup DIR` saved, database and media.

The database's objects are dropped and recreated from the dump (pg_restore --clean); the media
files are unpacked over MEDIA_ROOT. Stop web, worker and beat first (README).
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints.management.commands.backup import (
    DUMP_NAME,
    MEDIA_NAME,
    libpq_target,
    pg_tool,
    run_tool,
)


class Command(BaseCommand):
    help = "Restore the database and the media files from a `manage.py backup` folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database-url", help="another database than the settings' one")

    def handle(self, *args: Any, directory: Path, database_url: str | None, **options: Any) -> None:
        dump, media = directory / DUMP_NAME, directory / MEDIA_NAME
        if not dump.exists() or not media.exists():
            raise CommandError(f"{directory} has no {DUMP_NAME} and {MEDIA_NAME}")
        conninfo, env = libpq_target(database_url)
        run_tool(
            [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--exit-on-error", "--single-transaction", f"--dbname={conninfo}", str(dump)],
            env,
        )  # fmt: skip
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("media")]
            for member in members:
                member.name = member.name.removeprefix("media").lstrip("/") or "."
            archive.extractall(media_root, members=members, filter="data")
        self.stdout.write(f"restored from {directory}")
