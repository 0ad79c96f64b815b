"""A material's text and its search words are written together, so that a worker killed while
indexing leaves the file waiting to be read again instead of text no search finds; and
`fazhi evidence reindex` repairs any search document that does not match its material."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from fazhi.evidence import selectors, services
from fazhi.evidence.models import Blob, ExtractStatus, SearchDocument

TEXT = "市中区人民政府依法办理行政复议案件，作出复议决定并公开。"


class Killed(Exception):
    """Stands for the worker dying: nothing after it runs."""


def found(campaign, user, query) -> list[str]:
    return [e.title for e in selectors.search_evidence(campaign=campaign, user=user, query=query)]


@pytest.fixture
def waiting(campaign, people, monkeypatch):
    """A material whose file was uploaded while no worker ran: its text is still to be read."""
    with monkeypatch.context() as m:
        m.setattr(services, "_enqueue_extraction", lambda blob: None)
        evidence = services.evidence_upload(
            acting_user=people.szq_liaison,
            item=campaign.items.get(code="1.1.1"),
            file=ContentFile(TEXT.encode(), name="年度报告.txt"),
        )
    assert evidence.current.blob.extract_status == ExtractStatus.PENDING
    return evidence


def test_a_worker_killed_while_indexing_saves_neither_the_text_nor_the_words(
    waiting, campaign, people, monkeypatch
):
    def die(*args, **kwargs):
        raise Killed

    blob_id = waiting.current.blob_id
    with monkeypatch.context() as m:
        m.setattr(services, "index_evidence", die)
        with pytest.raises(Killed):
            services.blob_extract(blob_id=blob_id)
    # Before the fix the text was saved and marked read while the words were not: the file was
    # never read again, and no word of its text found it.
    blob = Blob.objects.get(pk=blob_id)
    assert (blob.extract_status, blob.text) == (ExtractStatus.PENDING, "")
    assert found(campaign, people.szq_lead, "复议") == []

    # The file is still waiting, so the next run (a retried task, `fazhi evidence extract`)
    # reads it and indexes it at once.
    call_command("evidence", "extract", stdout=StringIO())
    assert Blob.objects.get(pk=blob_id).extract_status == ExtractStatus.DONE
    assert found(campaign, people.szq_lead, "复议") == ["年度报告"]


def reindex(*args, user=None) -> str:
    out = StringIO()
    extra = ["--as", user] if user else []
    call_command("evidence", *extra, "reindex", *args, stdout=out)
    return out.getvalue()


def test_reindex_repairs_words_built_from_other_text(waiting, campaign, people):
    # What a worker killed under the old code left: the text saved and marked read, the search
    # words still those of the title alone.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evidence_blob SET text = %s, extract_status = 'done' WHERE id = %s",
            [TEXT, waiting.current.blob_id],
        )
    assert found(campaign, people.szq_lead, "复议") == []
    call_command("evidence", "extract", stdout=StringIO())  # it is not waiting: no help
    assert found(campaign, people.szq_lead, "复议") == []

    assert reindex("--campaign", str(campaign.pk)) == (
        f"创建活动 {campaign.pk}（{campaign}）：检查 1 份材料的搜索索引，重建 1 份。\n"
    )
    assert found(campaign, people.szq_lead, "复议") == ["年度报告"]
    assert json.loads(reindex("--json")) == {"checked": 1, "rebuilt": 0}


def test_reindex_rebuilds_a_missing_or_unfingerprinted_document(campaign, people):
    item = campaign.items.get(code="1.1.1")
    lost, old = (
        services.evidence_upload(
            acting_user=people.szq_liaison,
            item=item,
            file=ContentFile(f"{TEXT}{n}".encode(), name=f"{title}.txt"),
        )
        for n, title in enumerate(["丢失", "旧索引"])
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM evidence_searchdocument WHERE evidence_id = %s", [lost.pk])
        # A document written before fingerprints existed.
        cursor.execute(
            "UPDATE evidence_searchdocument SET fingerprint = NULL WHERE evidence_id = %s",
            [old.pk],
        )
    assert found(campaign, people.szq_lead, "复议") == ["旧索引"]

    assert json.loads(reindex("--json")) == {"checked": 2, "rebuilt": 2}
    assert sorted(found(campaign, people.szq_lead, "复议")) == ["丢失", "旧索引"]
    assert SearchDocument.objects.filter(fingerprint__isnull=True).count() == 0


def test_reindex_only_touches_what_the_user_may_see(waiting, campaign, people):
    SearchDocument.objects.filter(evidence=waiting).delete()
    assert json.loads(reindex("--json", user="xc_lead")) == {"checked": 0, "rebuilt": 0}
    assert not SearchDocument.objects.filter(evidence=waiting).exists()
    with pytest.raises(CommandError, match="没有找到该记录"):
        reindex("--campaign", str(campaign.pk), user="xc_lead")
    assert json.loads(reindex("--json", user="szq_lead")) == {"checked": 1, "rebuilt": 1}
    assert SearchDocument.objects.filter(evidence=waiting).exists()


def test_an_upload_indexes_the_text_a_worker_read_while_it_was_stored(
    campaign, people, monkeypatch
):
    # The same content uploaded twice: the first upload's worker reads the text between the
    # second upload storing its file and writing its material.
    item = campaign.items.get(code="1.1.1")
    with monkeypatch.context() as m:
        m.setattr(services, "_enqueue_extraction", lambda blob: None)
        first = services.evidence_upload(
            acting_user=people.szq_liaison,
            item=item,
            file=ContentFile(TEXT.encode(), name="第一份.txt"),
        )
    stale = Blob.objects.get(pk=first.current.blob_id)  # still waiting, as the upload saw it
    services.blob_extract(blob_id=stale.pk)
    monkeypatch.setattr(services.storage, "store_blob", lambda file, **kw: (stale, False))
    services.evidence_upload(
        acting_user=people.szq_liaison,
        item=item,
        file=ContentFile(TEXT.encode(), name="第二份.txt"),
    )
    assert sorted(found(campaign, people.szq_lead, "复议")) == ["第一份", "第二份"]
