"""A photographed notice, in the browser: a liaison takes it with the phone's camera, its words
are found by search, marked as recognised by OCR, and the material page says the text was
recognised, not extracted; the lead office sees the same at a desk."""

import pytest
from django.core.files import File

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, DEFAULT_TIMEOUT_MS, log_in
from fazhi.evidence import services
from fazhi.evidence.tests import documents
from fazhi.evidence.tests.test_ocr import NOTICE, needs_font, needs_tesseract

pytestmark = [*BROWSER, needs_tesseract, needs_font, pytest.mark.ocr]
WAIT = DEFAULT_TIMEOUT_MS


def test_a_photographed_notice_is_found_by_search_on_a_phone(
    phone_page, live_server, people, campaign, tmp_path
):
    from playwright.sync_api import expect

    page, base = phone_page, live_server.url
    item = campaign.items.get(code="1.1.1")
    log_in(page, base, "szq_liaison", PASSWORD)
    page.goto(f"{base}/campaigns/items/{item.pk}/")
    photo = documents.build_scan_image(tmp_path / "评查通知.jpg", NOTICE, format="JPEG")
    page.locator("form[data-uploader] input[type=file][capture]").set_input_files(photo)
    materials = page.locator("#item-evidence")
    expect(materials).to_contain_text("评查通知", timeout=WAIT)
    expect(materials.get_by_text("OCR", exact=True)).to_be_visible(timeout=WAIT)

    page.goto(f"{base}/campaigns/{campaign.pk}/search/?q=案卷评查")
    hit = page.locator("ol.hits li").filter(has_text="评查通知")
    expect(hit).to_be_visible(timeout=WAIT)
    expect(hit.get_by_text("OCR 识别")).to_be_visible()
    expect(hit.locator("mark").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-ocr-search.png"), full_page=True)

    hit.get_by_role("link", name="评查通知").tap()
    expect(page.get_by_text("以下文字由 OCR 从扫描图像识别")).to_be_visible(timeout=WAIT)
    expect(page.locator("pre.extracted")).to_contain_text("案卷评查")
    page.screenshot(path=str(ARTIFACTS / "phone-ocr-detail.png"), full_page=True)


def test_the_lead_office_finds_a_scanned_pdf_at_a_desk(
    page, live_server, people, campaign, tmp_path
):
    from playwright.sync_api import expect

    scan = documents.build_image_pdf(tmp_path / "案卷评查通知（扫描件）.pdf", [NOTICE])
    with scan.open("rb") as handle:
        services.evidence_upload(
            acting_user=people.szq_liaison,
            item=campaign.items.get(code="1.1.1"),
            file=File(handle, name=scan.name),
        )
    base = live_server.url
    log_in(page, base, "szq_lead", PASSWORD)
    page.goto(f"{base}/campaigns/{campaign.pk}/search/?q=行政执法 办案质量")
    hit = page.locator("ol.hits li").filter(has_text="案卷评查通知（扫描件）")
    expect(hit.get_by_text("OCR 识别")).to_be_visible(timeout=WAIT)
    page.screenshot(path=str(ARTIFACTS / "desk-ocr-search.png"), full_page=True)
    hit.get_by_role("link", name="案卷评查通知（扫描件）").click()
    expect(page.get_by_role("heading", name="识别的文字 OCR 识别")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("是系统从正文中识别的")).to_be_visible()
    expect(page.locator("input[name=doc_number]")).to_have_value("市中政发〔2025〕3号")
    page.screenshot(path=str(ARTIFACTS / "desk-ocr-detail.png"), full_page=True)
