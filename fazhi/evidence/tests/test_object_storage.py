"""Files in S3-compatible object storage (django-storages), as the scale deployment keeps them:
an S3 server of moto's on loopback stands in for MinIO or a cloud bucket."""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from fazhi.evidence import services, storage
from fazhi.evidence.models import Blob, ExtractStatus

BUCKET = "fazhi-test"


@pytest.fixture
def s3_storage(settings):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials).create_bucket(
        Bucket=BUCKET
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "file_overwrite": False,
            },
        },
    }
    yield endpoint
    server.stop()


def test_materials_are_stored_read_and_downloaded_through_object_storage(
    s3_storage, campaign, people, login
):
    evidence = services.evidence_upload(
        acting_user=people.szq_liaison,
        item=campaign.items.get(code="1.1.1"),
        file=ContentFile("行政复议决定书".encode(), name="决定.txt"),
    )
    blob = Blob.objects.get(pk=evidence.current.blob_id)
    assert default_storage.__class__.__name__ == "S3Storage"
    assert default_storage.exists(blob.storage_name)
    # Extraction downloads the object to a temporary file: there is no local path.
    assert blob.extract_status == ExtractStatus.DONE and "行政复议" in blob.text
    url = reverse("evidence:download", args=[evidence.pk])
    response = login(people.szq_liaison).get(url)
    assert b"".join(response.streaming_content) == "行政复议决定书".encode()
    # A resumed download asks the object store for just the missing bytes.
    resumed = login(people.szq_liaison).get(url, HTTP_RANGE="bytes=6-")
    assert resumed.status_code == 206
    assert b"".join(resumed.streaming_content) == "复议决定书".encode()
    with storage.open_blob(blob) as body:
        assert body.read() == "行政复议决定书".encode()
