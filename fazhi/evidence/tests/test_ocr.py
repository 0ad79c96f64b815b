"""Scanned files read: the text of photos and scanned PDF pages is recognised by Tesseract in
the background extraction, marked as recognised wherever it is shown, searchable, and the
文号 and 成文日期 are read from it. The scans are drawn here with a Chinese font, as pixels only.

OCR is slow (seconds a page), so these pages are few and small."""

import json
import time
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import call_command
from django.urls import reverse

from fazhi.evidence import selectors, services
from fazhi.evidence.extraction import OcrLimits, extract_text, ocr, ocr_available
from fazhi.evidence.ledger import ledger_rows
from fazhi.evidence.models import ExtractStatus
from fazhi.evidence.tests import documents

pytestmark = pytest.mark.ocr

needs_tesseract = pytest.mark.skipif(
    not ocr_available(),
    reason="未安装 tesseract-ocr 与 tesseract-ocr-chi-sim（scripts/system_packages.sh 安装）",
)
needs_font = pytest.mark.skipif(documents.cjk_font() is None, reason="未安装中文字体")

NOTICE = [
    "市中区人民政府文件",
    "市中政发〔2025〕3号",
    "市场监管局关于开展行政执法案卷评查的通知",
    "为规范行政执法行为，提高办案质量，",
    "决定开展行政执法案卷评查工作。",
    "2025年3月12日",
]
LIMITS = OcrLimits(max_pages=5, page_timeout=120)


def upload(campaign, people, path: Path):
    with path.open("rb") as handle:
        return services.evidence_upload(
            acting_user=people.szq_liaison,
            item=campaign.items.get(code="1.1.1"),
            file=File(handle, name=path.name),
        )


def found(campaign, user, query) -> list[str]:
    return [e.title for e in selectors.search_evidence(campaign=campaign, user=user, query=query)]


@needs_tesseract
@needs_font
def test_a_scanned_page_is_recognised_and_found_by_search(campaign, people, tmp_path):
    material = upload(campaign, people, documents.build_scan_image(tmp_path / "扫描件.png", NOTICE))
    material.refresh_from_db()
    blob = material.current.blob
    assert blob.extract_status == ExtractStatus.DONE
    assert blob.ocr_pages == 1 and blob.page_count == 1
    assert "案卷评查" in blob.text
    # OCR reads 〔2025〕 as 【2025] or (2025]; the number is written as it should be.
    assert material.doc_number == "市中政发〔2025〕3号"
    assert material.issued_on == date(2025, 3, 12)
    assert set(material.metadata_from_text) == {"doc_number", "issued_on"}
    assert found(campaign, people.szq_lead, "案卷评查") == ["扫描件"]
    assert found(campaign, people.szq_lead, "行政执法 办案质量") == ["扫描件"]
    assert found(campaign, people.xc_lead, "案卷评查") == []  # another county's lead


@needs_tesseract
@needs_font
def test_an_image_only_pdf_is_recognised_and_found_by_search(campaign, people, tmp_path):
    path = documents.build_image_pdf(tmp_path / "评查通知（扫描）.pdf", [NOTICE])
    material = upload(campaign, people, path)
    material.refresh_from_db()
    assert material.current.blob.ocr_pages == 1
    assert material.issued_on == date(2025, 3, 12)
    assert found(campaign, people.szq_lead, "案卷评查") == ["评查通知（扫描）"]


@needs_tesseract
@needs_font
def test_a_phone_photo_on_its_side_is_turned_upright_before_reading(tmp_path):
    path = documents.build_scan_image(tmp_path / "照片.jpg", NOTICE, format="JPEG", turned=True)
    extracted = extract_text(path, path.name, ocr=LIMITS)
    assert "行政执法" in extracted.text and extracted.recognised_pages == 1


@needs_tesseract
@needs_font
def test_a_typed_page_keeps_its_text_and_only_the_scanned_page_is_recognised(tmp_path):
    path = documents.build_text_then_scan_pdf(
        tmp_path / "带附件.pdf", "关于报送法治政府建设年度报告的函，附件为盖章扫描件。", NOTICE
    )
    extracted = extract_text(path, path.name, ocr=LIMITS)
    assert extracted.page_count == 2 and extracted.recognised_pages == 1
    typed, scanned = extracted.text.index("年度报告"), extracted.text.index("案卷评查")
    assert typed < scanned  # in page order, so the date is read from the last page


@needs_tesseract
@needs_font
def test_a_500_page_scan_is_read_up_to_the_page_cap_and_says_so(
    campaign, people, tmp_path, settings
):
    settings.FAZHI_OCR_MAX_PAGES = 2
    path = documents.build_image_pdf(tmp_path / "全年案卷.pdf", [NOTICE], copies=500)
    material = upload(campaign, people, path)
    blob = material.current.blob
    blob.refresh_from_db()
    assert blob.extract_status == ExtractStatus.DONE
    assert blob.page_count == 500 and blob.ocr_pages == 2
    assert any(
        "共 500 页" in w and "上限" in w and "只识别了前 2 页" in w and "其余 498 页" in w
        for w in blob.extract_warnings
    )
    assert found(campaign, people.szq_lead, "案卷评查") == ["全年案卷"]


def test_the_page_cap_has_a_documented_default(settings):
    from pathlib import Path as P

    assert settings.FAZHI_OCR_MAX_PAGES == 30
    readme = (P(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert "FAZHI_OCR_MAX_PAGES" in readme


def test_an_image_that_is_not_an_image_is_refused_with_a_clear_message(campaign, people, tmp_path):
    path = tmp_path / "现场照片.jpg"
    path.write_text("这不是图片，只是改了扩展名的文字。", encoding="utf-8")
    material = upload(campaign, people, path)
    blob = material.current.blob
    blob.refresh_from_db()
    assert blob.extract_status == ExtractStatus.FAILED
    assert "不是可识别的图片" in blob.extract_error
    assert blob.text == "" and blob.ocr_pages == 0


@needs_tesseract
def test_a_broken_image_is_refused_with_a_clear_message(campaign, people, tmp_path):
    whole = documents.build_image(tmp_path / "whole.png")
    path = tmp_path / "断开的扫描件.png"
    path.write_bytes(whole.read_bytes()[:60])  # the header of a PNG, then nothing
    material = upload(campaign, people, path)
    blob = material.current.blob
    blob.refresh_from_db()
    assert blob.extract_status == ExtractStatus.FAILED
    assert blob.extract_error == ocr.NOT_AN_IMAGE


@needs_font
def test_without_tesseract_an_image_says_why_and_a_pdf_keeps_its_typed_text(monkeypatch, tmp_path):
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    image = documents.build_scan_image(tmp_path / "扫描件.png", NOTICE)
    with pytest.raises(Exception, match="未安装文字识别组件"):
        extract_text(image, image.name, ocr=LIMITS)
    pdf = documents.build_text_then_scan_pdf(
        tmp_path / "带附件.pdf", "关于报送法治政府建设年度报告的函，附件为盖章扫描件。", NOTICE
    )
    extracted = extract_text(pdf, pdf.name, ocr=LIMITS)
    assert "年度报告" in extracted.text and extracted.recognised_pages == 0
    assert any("未安装文字识别组件" in w for w in extracted.warnings)


@needs_tesseract
@needs_font
def test_pages_and_api_mark_the_text_as_recognised(
    campaign, people, tmp_path, login, client, bearer
):
    material = upload(campaign, people, documents.build_scan_image(tmp_path / "扫描件.png", NOTICE))
    web = login(people.szq_lead)
    detail = web.get(reverse("evidence:detail", args=[material.pk])).content.decode()
    assert "OCR 识别" in detail and "不是从文件中提取的" in detail
    search_page = web.get(
        reverse("campaigns:search", args=[campaign.pk]), {"q": "案卷评查"}
    ).content.decode()
    assert "扫描件" in search_page and "OCR 识别" in search_page
    auth = bearer(people.szq_lead)
    hits = client.get(
        "/api/evidence/search", {"campaign": campaign.pk, "q": "案卷评查"}, **auth
    ).json()
    assert [(h["title"], h["recognised"]) for h in hits] == [("扫描件", True)]
    detail_json = client.get(f"/api/evidence/{material.pk}", **auth).json()
    assert detail_json["ocr_pages"] == 1
    ledger = selectors.evidence_ledger(
        campaign=campaign, user=people.szq_lead, filters=selectors.LedgerFilters()
    )
    assert "已提取（OCR 识别 1 页）" in next(ledger_rows(ledger))  # the ledger's Excel


@needs_tesseract
@needs_font
def test_scans_recorded_without_text_are_recognised_by_the_ocr_command(
    campaign, people, tmp_path, settings
):
    settings.FAZHI_OCR_MAX_PAGES = 0  # as before OCR was installed
    material = upload(
        campaign, people, documents.build_scan_image(tmp_path / "旧扫描件.png", NOTICE)
    )
    blob = material.current.blob
    blob.refresh_from_db()
    assert blob.extract_status == ExtractStatus.EMPTY
    settings.FAZHI_OCR_MAX_PAGES = 30
    out = StringIO()
    call_command("evidence", "--as", people.xc_lead.username, "ocr", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"queued": 0}  # another county's lead
    out = StringIO()
    call_command("evidence", "ocr", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"queued": 1}
    blob.refresh_from_db()
    assert blob.extract_status == ExtractStatus.DONE and blob.ocr_pages == 1
    assert found(campaign, people.szq_lead, "案卷评查") == ["旧扫描件"]


@needs_font
def test_a_page_over_its_time_is_stopped_and_named(
    campaign, people, tmp_path, settings, monkeypatch
):
    stuck = tmp_path / "tesseract"
    stuck.write_text("#!/bin/sh\nsleep 60\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(ocr, "tesseract_path", lambda: str(stuck))
    monkeypatch.setattr(ocr, "ocr_available", lambda: True)
    settings.FAZHI_OCR_PAGE_SECONDS = 1
    started = time.monotonic()
    material = upload(campaign, people, documents.build_scan_image(tmp_path / "扫描件.png", NOTICE))
    assert time.monotonic() - started < 30  # stopped, not waited for
    blob = material.current.blob
    blob.refresh_from_db()
    assert blob.extract_status == ExtractStatus.EMPTY and blob.ocr_pages == 0
    assert any("第 1 页文字识别失败或超过 1 秒" in w for w in blob.extract_warnings)


@needs_tesseract
def test_an_iphone_heic_photo_is_refused_saying_how_to_send_it(tmp_path):
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200)
    with pytest.raises(Exception, match="HEIC/HEIF 格式的照片暂不能识别文字"):
        extract_text(path, path.name, ocr=LIMITS)


@needs_tesseract
@needs_font
def test_a_big_phone_photo_is_shrunk_before_reading(tmp_path):
    page = documents.scanned_page(NOTICE).resize((4000, 2560)).convert("RGB")
    path = tmp_path / "大照片.jpg"
    page.save(path, quality=85)
    extracted = extract_text(path, path.name, ocr=LIMITS)
    assert "行政执法" in extracted.text
