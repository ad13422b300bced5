"""The embedded SQLite runs in WAL mode (fundmgr.settings.SQLITE_OPTIONS): the job page polls a big
import's progress while the worker writes in one long transaction, and a reader must not wait for it."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from fundmgr import settings as project_settings


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's journal")
def test_a_reader_is_not_locked_out_by_a_long_write_transaction(tmp_path, django_db_blocker):
    def connect(timeout: float) -> DatabaseWrapper:
        options = {**project_settings.SQLITE_OPTIONS, "timeout": timeout}
        wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "db.sqlite3"), "OPTIONS": options})
        wrapper.ensure_connection()
        return wrapper

    with django_db_blocker.unblock():
        writer, reader = connect(20), connect(0.1)
        try:
            with writer.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("CREATE TABLE job (done integer)")
                cursor.execute("INSERT INTO job VALUES (0)")
                cursor.execute("PRAGMA cache_size = 10")  # the transaction spills to the file at once
                writer.set_autocommit(False)
                cursor.execute("CREATE TABLE ledger (memo text)")
                cursor.executemany("INSERT INTO ledger VALUES (?)", [("x" * 200,)] * 5_000)
                cursor.execute("UPDATE job SET done = 5000")
                with reader.cursor() as reading:  # the rollback journal raised "database is locked" here
                    reading.execute("SELECT done FROM job")
                    assert reading.fetchone() == (0,)  # the last committed state
                writer.rollback()
        finally:
            writer.close()
            reader.close()
