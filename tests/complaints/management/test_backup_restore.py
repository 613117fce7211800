"""Backup and restore, tried once (issue 14, item 17): a migrated database with a complaint and
a media file is backed up with `manage.py backup`, restored with `manage.py restore` into an
empty database and media folder, and the same complaint and file are found there.

Both databases are on an embedded PostgreSQL of this test's own (config/embedded_db.py), so the
machine's shared server is never dumped into or restored over.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import environ
import psycopg2
import pytest

from config import embedded_db

ROOT = Path(__file__).resolve().parents[3]
MAKE_DATA = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from tests.factories import NOW, ComplaintFactory, CustomerFactory
complaint = ComplaintFactory(customer=CustomerFactory(), now=NOW, summary="Restore me")
default_storage.save("letters/1/kept.pdf", ContentFile(b"%PDF-1.7 the letter"))
print(complaint.reference)
"""


def manage(*args: str, database_url: str, media: Path) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def query(url: str, sql: str, params: list[str]) -> list[tuple]:
    db = environ.Env.db_url_config(url)
    connection = psycopg2.connect(dbname=db["NAME"], user=db["USER"], **db["OPTIONS"])
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture
def server():
    # Not under pytest's tmp_path: every pytest run on the machine (other worktrees too) makes
    # /tmp/pytest-of-<user> private again, and the server's own system user must get through.
    folder = Path(tempfile.mkdtemp(prefix="redress-backup-test-"))
    data_dir = folder / "pgdata"
    try:
        source = embedded_db.server_start(data_dir, database="redress_source")
        target = embedded_db.server_start(data_dir, database="redress_restored")
        yield source, target
    finally:
        embedded_db.server_stop(data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_backup_restores_the_complaints_and_the_files(server, tmp_path):
    source, target = server
    media, restored_media, backup = tmp_path / "media", tmp_path / "restored", tmp_path / "backup"
    # Given a migrated database with a complaint, and a file in the media folder
    manage("migrate", "-v0", database_url=source, media=media)
    reference = manage("shell", "-c", MAKE_DATA, database_url=source, media=media).splitlines()[-1]
    # When it is backed up, then restored into an empty database and an empty media folder
    manage("backup", str(backup), database_url=source, media=media)
    manage("restore", str(backup), database_url=target, media=restored_media)
    # Then the complaint and the file are there
    sql = "SELECT summary FROM complaints_complaint WHERE reference = %s"
    assert query(target, sql, [reference]) == [("Restore me",)]
    assert (restored_media / "letters/1/kept.pdf").read_bytes() == b"%PDF-1.7 the letter"
