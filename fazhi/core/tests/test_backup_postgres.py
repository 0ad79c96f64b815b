"""fazhi backup and restore of the scale deployment (PostgreSQL + object storage), in the
suite's PostgreSQL pass: a backup taken while a liaison uploads restores into an empty database
and an empty bucket prefix with every material's file byte-identical."""

import hashlib
import os
import threading
import uuid

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from fazhi.core import backup_postgres
from fazhi.core.backup import BackupError, backup_create, backup_verify
from fazhi.evidence.services import evidence_upload

pytestmark = [
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("FAZHI_S3_BUCKET")),
        reason="scale deployment: the PostgreSQL + object storage pass only",
    ),
    # Roles come from a data migration: a transactional test flushes them unless restored.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def upload(user, item, number: int):
    content = f"材料 {number} ".encode() * (2000 + number * 997)
    return evidence_upload(
        acting_user=user, item=item, file=ContentFile(content, name=f"材料{number}.txt")
    )


class Uploader(threading.Thread):
    """A liaison uploading materials one after another until told to stop."""

    def __init__(self, user, item):
        super().__init__(daemon=True)
        self.user, self.item = user, item
        self.stop, self.count, self.error = threading.Event(), 0, None

    def run(self):
        try:
            while not self.stop.is_set():
                self.count += 1
                upload(self.user, self.item, 100 + self.count)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()


def connect(database: dict) -> psycopg.Connection:
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
    }
    return psycopg.connect(**{key: value for key, value in params.items() if value})


@pytest.fixture
def empty_database():
    name = f"fazhi_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield {**connection.settings_dict, "NAME": name}
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_taken_during_uploads_restores_into_an_empty_database_and_bucket(
    campaign, people, tmp_path, settings, empty_database
):
    from storages.backends.s3 import S3Storage

    item = campaign.items.get(code="1.1.1")
    for number in range(3):
        upload(people.szq_liaison, item, number)
    uploader = Uploader(people.szq_liaison, item)
    uploader.start()
    try:
        archive = tmp_path / "fazhi.tar"
        result = backup_create(archive)
    finally:
        uploader.stop.set()
        uploader.join(timeout=60)
    assert uploader.error is None
    assert result.problems == []
    assert backup_verify(archive)["database"] == "postgresql"

    options = {**settings.STORAGES["default"]["OPTIONS"], "location": f"t/{uuid.uuid4().hex}"}
    target_storage = S3Storage(**options)
    backup_postgres.restore(archive, database=empty_database, storage=target_storage)

    with connect(empty_database) as db:
        rows = db.execute(
            "SELECT b.storage_name, b.sha256 FROM evidence_evidence e "
            "JOIN evidence_evidenceversion v ON v.evidence_id = e.id "
            "JOIN evidence_blob b ON b.id = v.blob_id"
        ).fetchall()
    assert len(rows) >= 3
    assert result.files == len({name for name, _ in rows})
    for name, sha256 in rows:
        with target_storage.open(name, "rb") as restored:
            content = restored.read()
        assert hashlib.sha256(content).hexdigest() == sha256
        with default_storage.open(name, "rb") as live:
            assert content == live.read()


def test_restore_refuses_a_database_that_holds_data(campaign, people, tmp_path):
    upload(people.szq_liaison, campaign.items.get(code="1.1.1"), 1)
    archive = tmp_path / "fazhi.tar"
    backup_create(archive)
    with pytest.raises(BackupError, match="不是空的"):
        backup_postgres.restore(archive, database=connection.settings_dict, storage=default_storage)
