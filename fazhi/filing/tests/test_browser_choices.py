"""Choosing and submitting the filing in a real browser: the lead office leaves a material out
with a reason and moves another to the top on the 申报清单, builds the filing, finds the package
and its index in that order, submits it, and reopens it with a reason. The 申报清单 on a phone."""

import io
import zipfile

from openpyxl import load_workbook
from playwright.sync_api import expect

from fazhi.conftest import PASSWORD
from fazhi.core.tests import browser
from fazhi.core.tests.browser import ARTIFACTS, BROWSER
from fazhi.filing.models import FileKind, FilingBuild, FilingSubmission
from fazhi.filing.package import INDEX_NAME
from fazhi.filing.tests.conftest import pdf_bytes

pytestmark = BROWSER
BUILD_TIMEOUT_MS = 120_000


def test_lead_office_chooses_orders_builds_and_submits(page, live_server, campaign, upload):
    for name in ("通知", "方案", "总结"):
        upload("1.1.1", f"{name}.pdf", pdf_bytes(1, name), title=name, chosen=False)
    campaign.items.filter(code="1.1.1").update(status="approved")
    base = live_server.url

    browser.log_in(page, base, "szq_lead", PASSWORD)
    page.goto(f"{base}/filing/campaigns/{campaign.pk}/")
    page.click("#choice-link")
    expect(page.locator("#choice-totals")).to_contain_text("纳入 3 份")
    page.click("#choice-list a:has-text('1.1.1')")

    row = page.locator("#choice-materials tr", has_text="方案")
    row.locator("input[name=evidence]").check()
    page.fill("input[name=reason]", "与通知内容重复")
    page.click("button[name=decision][value=exclude]")
    expect(page.get_by_text("1 份材料已不纳入申报")).to_be_visible()
    expect(page.locator("#choice-materials tr", has_text="方案")).to_contain_text("与通知内容重复")
    for _ in range(2):
        page.locator("#choice-materials tr", has_text="总结").locator(
            "button[value$=':up']"
        ).click()
        expect(page.get_by_text("顺序已保存")).to_be_visible()
    first = page.locator("#choice-materials tbody tr").first
    expect(first).to_contain_text("总结")
    page.screenshot(path=str(ARTIFACTS / "filing-choice-item.png"), full_page=True)

    page.goto(f"{base}/filing/campaigns/{campaign.pk}/")
    page.click("button:has-text('开始生成')", no_wait_after=True)
    downloads = page.locator("a[href^='/filing/files/']")
    expect(downloads.first).to_be_visible(timeout=BUILD_TIMEOUT_MS)
    build = FilingBuild.objects.get(campaign=campaign)
    assert build.status == "ready", build.error
    package = build.files.get(kind=FileKind.PACKAGE)
    with page.expect_download() as download:
        page.click(f"text={package.name}")
    with zipfile.ZipFile(download.value.path()) as archive:
        pdfs = [n.rsplit("/", 1)[1] for n in archive.namelist() if n.endswith(".pdf")]
        index = load_workbook(io.BytesIO(archive.read(INDEX_NAME))).active
    assert pdfs == ["01-总结.pdf", "02-通知.pdf"]
    listed = [r[3] for r in index.iter_rows(min_row=2, values_only=True) if r[1] == "1.1.1"]
    assert listed == ["总结", "通知"]

    page.fill("textarea[name=note]", "报送市依法治市办")
    page.check("input[name=confirm]")
    page.click("button:has-text('提交申报')")
    expect(page.get_by_text("已提交申报第1版（2 份材料）")).to_be_visible()
    submission = FilingSubmission.objects.get()
    assert submission.package_sha256 == package.sha256
    page.screenshot(path=str(ARTIFACTS / "filing-submitted.png"), full_page=True)

    page.goto(f"{base}/filing/items/{campaign.items.get(code='1.1.1').pk}/choices/")
    expect(page.locator("#frozen")).to_be_visible()
    assert page.locator("button[name=decision]").count() == 0

    page.goto(f"{base}/filing/campaigns/{campaign.pk}/")
    page.fill("textarea[name=reason]", "补充复议案卷")
    page.click("button:has-text('重新打开申报')")
    expect(page.get_by_text("第1版已重新打开")).to_be_visible()
    expect(page.locator("#submissions")).to_contain_text("补充复议案卷")


def test_the_choice_list_on_a_phone(phone_page, live_server, campaign, upload):
    upload("1.1.1", "通知.pdf", pdf_bytes(1, "通知"), title="通知", chosen=False)
    upload("2.1.3", "意见.pdf", pdf_bytes(1, "意见"), title="审查意见", chosen=False)
    page, base = phone_page, live_server.url
    browser.log_in(page, base, "szq_lead", PASSWORD)
    page.goto(f"{base}/filing/campaigns/{campaign.pk}/choices/?pending=1")
    expect(page.locator("#choice-list")).to_contain_text("2.1.3")
    page.screenshot(path=str(ARTIFACTS / "filing-choice-list-phone.png"), full_page=True)
    page.locator("#choice-list a:has-text('2.1.3')").first.click()
    page.locator("#choice-materials button[value$=':include']").first.click()
    expect(page.locator("#choice-materials")).to_contain_text("纳入")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"page wider than the phone: {width}px"
    page.screenshot(path=str(ARTIFACTS / "filing-choice-item-phone.png"), full_page=True)
