"""The embedded PostgreSQL `make run` starts (config/embedded_db.py), in a temporary folder."""

from __future__ import annotations

import environ
import psycopg2
import pytest

from config import embedded_db


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("embedded") / "pgdata"
    url = embedded_db.server_start(data_dir, database="redress_probe")
    yield data_dir, url
    embedded_db.server_stop(data_dir)


def _connect(url: str):
    settings = environ.Env.db_url_config(url)
    return psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], **settings.get("OPTIONS", {})
    )


def test_started_server_takes_connections_with_pg_trgm(server):
    _, url = server
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SELECT similarity('Pritchard', 'Prichard') > 0.3, current_database()")
        assert cursor.fetchone() == (True, "redress_probe")
    connection.close()


def test_starting_again_reuses_the_running_server_and_its_data(server):
    data_dir, url = server
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
        cursor.execute("INSERT INTO kept VALUES (7)")
    connection.close()
    assert embedded_db.server_start(data_dir, database="redress_probe") == url
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT n FROM kept")
        assert cursor.fetchall() == [(7,)]
    connection.close()


def test_settings_find_the_running_server_through_its_data_folder(server):
    data_dir, url = server
    assert embedded_db.server_database_url(data_dir, "redress_probe") == url


def test_stop_ends_the_server_and_a_second_stop_says_nothing_ran(tmp_path):
    data_dir = tmp_path / "pgdata"
    url = embedded_db.server_start(data_dir)
    assert embedded_db.server_running(data_dir)

    assert embedded_db.server_stop(data_dir) is True

    assert not embedded_db.server_running(data_dir)
    assert embedded_db.server_stop(data_dir) is False
    with pytest.raises(psycopg2.OperationalError):
        _connect(url)
    # And a restart on the same folder brings the same database back.
    assert embedded_db.server_start(data_dir) == url
    embedded_db.server_stop(data_dir)
