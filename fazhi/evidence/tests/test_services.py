"""Uploading, storing, versions, deletion, extraction and the per-file outcome of batches."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import ItemStatus
from fazhi.evidence import services
from fazhi.evidence.models import Blob, Evidence, ExtractStatus
from fazhi.evidence.storage import blob_name
from fazhi.evidence.tests import documents


def upload(user, item, name, content: bytes, **extra):
    return services.evidence_upload(
        acting_user=user, item=item, file=ContentFile(content, name=name), **extra
    )


def upload_path(user, item, path: Path, **extra):
    with path.open("rb") as handle:
        return services.evidence_upload(
            acting_user=user, item=item, file=File(handle, name=path.name), **extra
        )


def test_a_liaison_uploads_to_its_item_and_the_text_is_extracted(campaign, people, tmp_path):
    item = campaign.items.get(code="1.1.1")
    pdf = documents.build_pdf(tmp_path / "复议决定书.pdf", ["市中区人民政府行政复议决定书"])
    evidence = upload_path(people.szq_liaison, item, pdf)
    evidence.refresh_from_db()
    blob = evidence.current.blob
    assert evidence.title == "复议决定书"
    assert evidence.unit.name == "市中区司法局"
    assert blob.extract_status == ExtractStatus.DONE and blob.page_count == 1
    assert "行政复议" in blob.text
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and item.evidence_count == 1


def test_identical_content_is_stored_once(campaign, people):
    first = campaign.items.get(code="1.1.1")
    second = campaign.items.get(code="2.1.4")
    a = upload(people.szq_liaison, first, "a.txt", "同一份材料".encode())
    b = upload(people.szq_liaison, second, "b.txt", "同一份材料".encode())
    assert a.current.blob_id == b.current.blob_id
    assert Blob.objects.count() == 1
    assert default_storage.exists(a.current.blob.storage_name)
    assert a.current.blob.storage_name.startswith(blob_name(a.current.blob.sha256))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("空文件.pdf", b"", "空文件"),
        ("病毒.exe", b"MZ\x90\x00", "不在允许上传的范围内"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(campaign, people, name, content, message):
    with pytest.raises(ValidationError, match=message):
        upload(people.szq_liaison, campaign.items.get(code="1.1.1"), name, content)
    assert not Evidence.objects.exists() and not Blob.objects.exists()


def test_a_file_over_the_limit_is_refused(campaign, people, settings):
    settings.FAZHI_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="超过单个文件"):
        upload(people.szq_liaison, campaign.items.get(code="1.1.1"), "a.txt", b"x" * 11)


def test_an_encrypted_pdf_is_kept_and_its_failure_shown(campaign, people, tmp_path):
    pdf = documents.build_encrypted_pdf(tmp_path / "加密.pdf", "机密", user_password="secret")
    evidence = upload_path(people.szq_liaison, campaign.items.get(code="1.1.1"), pdf)
    blob = Blob.objects.get(pk=evidence.current.blob_id)
    assert blob.extract_status == ExtractStatus.FAILED
    assert "加密" in blob.extract_error


def test_a_corrupt_docx_is_recorded_as_failed_not_silently_empty(campaign, people):
    evidence = upload(
        people.szq_liaison, campaign.items.get(code="1.1.1"), "坏.docx", b"PK\x03\x04garbage"
    )
    blob = Blob.objects.get(pk=evidence.current.blob_id)
    assert blob.extract_status == ExtractStatus.FAILED and blob.extract_error


def test_a_scanned_pdf_is_flagged_as_having_no_text(campaign, people, tmp_path):
    pdf = documents.build_scanned_pdf(tmp_path / "扫描件.pdf")
    evidence = upload_path(people.szq_liaison, campaign.items.get(code="1.1.1"), pdf)
    assert Blob.objects.get(pk=evidence.current.blob_id).extract_status == ExtractStatus.EMPTY


def test_a_liaison_cannot_upload_to_an_item_of_another_unit(campaign, people):
    others = campaign.items.get(code="2.1.4")  # 司法局 only
    with pytest.raises(PermissionDenied):
        upload(people.scjg_liaison, others, "x.txt", b"abc")
    with pytest.raises(PermissionDenied):
        upload(people.xc_liaison, others, "x.txt", b"abc")


def test_the_lead_office_uploads_for_a_unit_given_the_item(campaign, people, tree):
    item = campaign.items.get(code="1.1.1")
    evidence = upload(people.szq_lead, item, "x.txt", b"abc", unit=tree.units.szq_scjg)
    assert evidence.unit == tree.units.szq_scjg
    with pytest.raises(ValidationError, match="没有承担"):
        upload(people.szq_lead, item, "y.txt", b"abcd", unit=tree.units.szq_town)


def test_replacing_a_file_keeps_its_history(campaign, people):
    evidence = upload(people.szq_liaison, campaign.items.get(code="1.1.1"), "v1.txt", b"one")
    version = services.evidence_replace(
        acting_user=people.szq_liaison, evidence=evidence, file=ContentFile(b"two", name="v2.txt")
    )
    assert version.number == 2
    assert [v.original_name for v in evidence.versions.order_by("number")] == ["v1.txt", "v2.txt"]
    evidence.refresh_from_db()
    assert evidence.current == version


def test_delete_is_soft_and_restore_brings_it_back(campaign, people):
    item = campaign.items.get(code="1.1.1")
    evidence = upload(people.szq_liaison, item, "a.txt", b"abc")
    services.evidence_delete(acting_user=people.szq_liaison, evidence=evidence)
    item.refresh_from_db()
    assert item.evidence_count == 0 and item.status == ItemStatus.NOT_STARTED
    assert Evidence.objects.alive().count() == 0 and Evidence.objects.count() == 1
    services.evidence_restore(acting_user=people.szq_liaison, evidence=evidence)
    item.refresh_from_db()
    assert item.evidence_count == 1 and item.status == ItemStatus.IN_PROGRESS


def test_another_unit_cannot_change_or_delete_a_material(campaign, people):
    evidence = upload(people.szq_liaison, campaign.items.get(code="1.1.1"), "a.txt", b"abc")
    assert not Evidence.objects.visible_to(people.scjg_liaison).filter(pk=evidence.pk).exists()
    with pytest.raises(PermissionDenied):
        services.evidence_delete(acting_user=people.scjg_liaison, evidence=evidence)
    with pytest.raises(PermissionDenied):
        services.evidence_update(acting_user=people.xc_lead, evidence=evidence, title="改")


def test_submitted_items_are_locked_until_returned(campaign, people):
    item = campaign.items.get(code="1.1.1")
    evidence = upload(people.szq_liaison, item, "a.txt", b"abc")
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item)
    with pytest.raises(ValidationError, match="锁定"):
        upload(people.szq_liaison, item, "b.txt", b"more")
    with pytest.raises(ValidationError, match="锁定"):
        services.evidence_delete(acting_user=people.szq_liaison, evidence=evidence)
    campaign_services.item_return(acting_user=people.szq_lead, item=item, reason="补充材料")
    upload(people.szq_liaison, item, "b.txt", b"more")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and item.evidence_count == 2


def test_document_number_and_date_are_read_from_the_text_when_left_empty(campaign, people):
    text = "枣庄市市中区人民政府办公室\n市中政办发〔2024〕7号\n关于印发……的通知\n二〇二四年三月五日"
    evidence = upload(
        people.szq_liaison, campaign.items.get(code="1.1.1"), "通知.txt", text.encode()
    )
    evidence.refresh_from_db()
    assert evidence.doc_number == "市中政办发〔2024〕7号"
    assert evidence.issued_on == date(2024, 3, 5)
    assert evidence.metadata_from_text == ["doc_number", "issued_on"]
    services.evidence_update(
        acting_user=people.szq_liaison, evidence=evidence, title="通知", issued_on=date(2024, 3, 6)
    )
    evidence.refresh_from_db()
    assert evidence.metadata_from_text == []  # the user's own values, no longer guesses


def test_a_failed_upload_leaves_no_material_and_the_retry_reads_the_file(
    campaign, people, monkeypatch
):
    item = campaign.items.get(code="1.1.1")
    add_version = services._add_version

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_add_version", broken)
    with pytest.raises(RuntimeError):
        upload(people.szq_liaison, item, "a.txt", "行政复议".encode())
    assert not Evidence.objects.exists()
    item.refresh_from_db()
    assert item.evidence_count == 0
    # The content stored before the failure is kept unreferenced, and read on the retry.
    monkeypatch.setattr(services, "_add_version", add_version)
    evidence = upload(people.szq_liaison, item, "a.txt", "行政复议".encode())
    blob = Blob.objects.get()
    assert evidence.current.blob == blob
    assert blob.extract_status == ExtractStatus.DONE and "行政复议" in blob.text


def test_upload_one_reports_failures_instead_of_raising(campaign, people):
    outcome = services.upload_one(
        acting_user=people.scjg_liaison,
        item=campaign.items.get(code="2.1.4"),
        path="目录/x.txt",
        file=ContentFile(b"x", name="x.txt"),
    )
    assert not outcome.ok and "没有承担" in outcome.error


def test_uploads_stream_from_file_objects_without_knowing_the_hash(campaign, people):
    handle = io.BytesIO("内容".encode() * 1000)
    evidence = services.evidence_upload(
        acting_user=people.szq_liaison,
        item=campaign.items.get(code="1.1.1"),
        file=File(handle, name="长文.txt"),
    )
    assert evidence.current.blob.size == len("内容".encode()) * 1000


class BrokenStream(io.RawIOBase):
    """A file whose connection drops after the first megabyte."""

    size = 5 * 1024 * 1024

    def __init__(self):
        self.sent = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.sent = {io.SEEK_SET: 0, io.SEEK_CUR: self.sent, io.SEEK_END: self.size}[
            whence
        ] + offset
        return self.sent

    def tell(self):
        return self.sent

    def readinto(self, buffer):
        if self.sent >= 1024 * 1024:
            raise ConnectionResetError("client went away")
        size = min(len(buffer), 64 * 1024)
        buffer[:size] = b"a" * size
        self.sent += size
        return size


@pytest.mark.parametrize("hashed_while_streaming", [False, True])
def test_an_upload_interrupted_mid_stream_leaves_nothing_stored(
    campaign, people, hashed_while_streaming
):
    item = campaign.items.get(code="1.1.1")
    upload = File(io.BufferedReader(BrokenStream()), name="大文件.pdf")
    upload.size = BrokenStream.size
    if hashed_while_streaming:
        upload.sha256 = "0" * 64
    with pytest.raises(ConnectionResetError):
        services.evidence_upload(acting_user=people.szq_liaison, item=item, file=upload)
    assert not Evidence.objects.exists() and not Blob.objects.exists()
    item.refresh_from_db()
    assert item.evidence_count == 0 and item.status == ItemStatus.NOT_STARTED


def test_a_file_shorter_than_its_reported_size_is_refused_and_nothing_kept(campaign, people):
    item = campaign.items.get(code="1.1.1")
    upload = File(io.BytesIO(b"%PDF-1.7 only the beginning"), name="截断.pdf")
    upload.size, upload.sha256 = 5 * 1024 * 1024, "1" * 64  # as the upload handler said
    with pytest.raises(ValidationError, match="未完整保存"):
        services.evidence_upload(acting_user=people.szq_liaison, item=item, file=upload)
    assert not Evidence.objects.exists() and not Blob.objects.exists()
    assert not default_storage.exists(blob_name("1" * 64))


def test_a_metadata_change_is_audited_with_only_the_fields_that_changed(campaign, people):
    from fazhi.accounts.models import AuditEntry

    evidence = upload(people.szq_liaison, campaign.items.get(code="1.1.1"), "a.txt", b"abc")
    services.evidence_update(
        acting_user=people.szq_liaison, evidence=evidence, title="新标题", doc_number=""
    )
    entry = AuditEntry.objects.get(action="evidence.update")
    assert entry.before == {"title": "a"} and entry.after == {"title": "新标题"}
