"""The written self-assessment in a real browser: the lead unit's liaison drafts an indicator's
自评说明 on the item page from a phone; the lead office edits it on the desktop, picks it as a
亮点, writes 不足 and 下一步 on the campaign's self-assessment page, and downloads the Word draft,
which reads in the usual five parts with the explanation in them. The self-assessment page is
photographed on the desktop and on a phone."""

import io
import os
from pathlib import Path

from docx import Document
from playwright.sync_api import expect

from fazhi.campaigns.models import Explanation, SelfAssessment
from fazhi.conftest import PASSWORD
from fazhi.core.tests import browser
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE

pytestmark = BROWSER
SHOTS = Path(os.environ.get("FAZHI_SHOTS", ARTIFACTS))

DRAFT = "2024年，区司法局共办理行政复议案件56件，全部按期办结。"
ADDED = "纠错率12.5%，复议决定书全部网上公开（见材料《行政复议决定书汇编》）。"
SHORTFALL = "部分镇街行政复议宣传不够深入。"
NEXT_STEP = "2026年在各镇街设立行政复议咨询点。"
PARTS = ["一、总体情况", "二、分项自评", "三、工作亮点", "四、存在的不足", "五、下一步工作打算"]


def phone_context(page):
    """A phone beside the desktop page, in the same browser."""
    context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    phone = context.new_page()
    phone.set_default_timeout(browser.DEFAULT_TIMEOUT_MS)
    return phone


def fits_the_phone(phone) -> None:
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page wider than the phone: {width}px"


def shoot(page, name: str) -> None:
    for folder in {SHOTS, ARTIFACTS}:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


def test_liaison_drafts_lead_office_edits_and_downloads_the_report(
    page, live_server, campaign, people
):
    item = campaign.items.get(code="1.1.1")  # led by 区司法局, whose liaison is szq_liaison
    base = live_server.url
    item_url = f"{base}/campaigns/items/{item.pk}/"

    # The liaison drafts the explanation on a phone.
    phone = phone_context(page)
    browser.log_in(phone, base, "szq_liaison", PASSWORD)
    phone.goto(item_url)
    phone.locator("#explanation-text").fill(DRAFT)
    phone.click("button:has-text('保存自评说明')")
    expect(phone.get_by_text("已保存 1.1.1 的自评说明")).to_be_visible()
    expect(phone.locator("#explanation .explanation-text")).to_contain_text(DRAFT)
    fits_the_phone(phone)
    shoot(phone, "self-assessment-item-phone.png")
    phone.context.close()

    # The lead office edits it on the desktop.
    browser.log_in(page, base, "szq_lead", PASSWORD)
    page.goto(item_url)
    box = page.locator("#explanation-text")
    expect(box).to_have_value(DRAFT)
    box.fill(f"{DRAFT}{ADDED}")
    page.click("button:has-text('保存自评说明')")
    expect(page.get_by_text("已保存 1.1.1 的自评说明")).to_be_visible()
    explanation = Explanation.objects.get(item=item)
    assert explanation.text == DRAFT + ADDED and explanation.updated_by == people.szq_lead

    # On the campaign's self-assessment page: 1.1.1 as 亮点, 不足 and 下一步.
    page.goto(f"{base}/campaigns/{campaign.pk}/self-assessment/")
    expect(page.locator("#progress")).to_contain_text("1 / 4 项指标已填写自评说明")
    expect(page.locator("#missing")).to_contain_text("1.1.2")
    page.locator(".highlight-choice", has_text="1.1.1").locator("input").check()
    page.fill("#shortfalls", SHORTFALL)
    page.fill("#next_steps", NEXT_STEP)
    page.click("#self-assessment-form button[type=submit]")
    expect(page.get_by_text("已保存自评报告的亮点、不足和下一步工作打算")).to_be_visible()
    expect(page.locator(".highlight-choice", has_text="1.1.1").locator("input")).to_be_checked()
    record = SelfAssessment.objects.get(campaign=campaign)
    assert record.highlight_item_ids == [item.pk] and record.shortfalls == SHORTFALL
    shoot(page, "self-assessment-desktop.png")

    # The Word draft: the five parts, the explanation under 分项自评 and as the 亮点.
    with page.expect_download() as download:
        page.click("#report-draft")
    assert download.value.suggested_filename.endswith("自评报告（初稿）.docx")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    lines = [p.text for p in document.paragraphs]
    headings = [line for line in lines if line in PARTS]
    assert headings == PARTS
    text = "\n".join(lines + [c.text for t in document.tables for r in t.rows for c in r.cells])
    at = {part: text.index(part) for part in PARTS}
    explained = [n for n in range(len(text)) if text.startswith(DRAFT + ADDED, n)]
    assert any(at["二、分项自评"] < n < at["三、工作亮点"] for n in explained)
    assert any(at["三、工作亮点"] < n < at["四、存在的不足"] for n in explained)
    assert at["四、存在的不足"] < text.index(SHORTFALL) < at["五、下一步工作打算"]
    assert text.index(NEXT_STEP) > at["五、下一步工作打算"]

    # The same page on a phone.
    phone = phone_context(page)
    browser.log_in(phone, base, "szq_lead", PASSWORD)
    phone.goto(f"{base}/campaigns/{campaign.pk}/self-assessment/")
    expect(phone.locator("#shortfalls")).to_have_value(SHORTFALL)
    fits_the_phone(phone)
    shoot(phone, "self-assessment-phone.png")
    phone.context.close()
