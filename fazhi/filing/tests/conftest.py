"""Filing fixtures: files stored in each test's own folder, and 市中区's campaign with
materials of several kinds on two areas' items."""

import io

import pytest
from django.core.files.base import ContentFile
from fpdf import FPDF

from fazhi.evidence import services as evidence_services
from fazhi.filing import services, submissions
from fazhi.filing.models import BuildStatus, FilingChoice, FilingSubmission


def pdf_bytes(pages: int, label: str = "材料") -> bytes:
    document = FPDF()
    document.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        document.add_page()
        document.cell(text=f"page {number} of {label.encode().hex()[:12]}")
    buffer = io.BytesIO()
    document.output(buffer)
    return buffer.getvalue()


def submit_filing(campaign, lead, *, note: str = "") -> FilingSubmission:
    """The lead office builds the filing and submits it, as on the filing page: what the
    province's written review reads."""
    build = services.build_request(acting_user=lead, campaign=campaign)
    build.refresh_from_db()
    assert build.status == BuildStatus.READY, build.error
    return submissions.submission_create(acting_user=lead, campaign=campaign, note=note)


@pytest.fixture
def upload(campaign, people):
    """File a material on an item as 市中区's lead office (or the user named), chosen for the
    filing (by default only approved items' materials are in it; the tests of that default
    upload with `chosen=False`)."""

    def _upload(code: str, name: str, content: bytes, *, user=None, chosen=True, **fields):
        item = campaign.items.get(code=code)
        evidence = evidence_services.evidence_upload(
            acting_user=user or people.szq_lead,
            item=item,
            file=ContentFile(content, name=name),
            **fields,
        )
        if chosen:
            FilingChoice.objects.create(evidence=evidence, included=True)
        return evidence

    return _upload


@pytest.fixture
def filed(campaign, upload, people):
    """Four materials: two on 1.1.1 (in upload order), one on 2.1.3, one of another unit on
    1.1.2; 2.1.4 has none."""
    upload("1.1.1", "复议决定书.pdf", pdf_bytes(3, "a"), title="行政复议决定书（2024）")
    upload("1.1.1", "工作报告.txt", "行政复议工作报告\n".encode() * 50, title="=复议工作报告")
    upload("2.1.3", "审查意见.pdf", pdf_bytes(2, "b"), title="合法性审查意见书")
    upload(
        "1.1.2", "公示.pdf", pdf_bytes(1, "c"), title="执法公示/目录:2024", user=people.scjg_liaison
    )
    return campaign
