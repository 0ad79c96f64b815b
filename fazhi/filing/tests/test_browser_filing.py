"""The filing in a real browser: the lead office opens 申报材料 from its campaign, builds the
filing split by area, and downloads the package; a liaison is not offered the filing."""

import zipfile

from fazhi.campaigns.demo import load_demo_campaign
from fazhi.core.tests import browser
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, log_out
from fazhi.filing.models import FileKind, FilingBuild
from fazhi.frameworks.demo import load_demo_framework
from fazhi.orgs.demo import load_demo_orgs

pytestmark = BROWSER
DEMO_PASSWORD = "Fazhi@2026"


def test_lead_office_builds_the_filing_and_downloads_the_package(page, live_server, db):
    load_demo_orgs()
    campaign = load_demo_campaign(load_demo_framework())
    areas = campaign.framework.nodes.filter(parent__isnull=True).count()
    base = live_server.url

    browser.log_in(page, base, "szq_admin", DEMO_PASSWORD)
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    page.click("a.btn:has-text('申报材料')")
    page.check("input[name=split][value=area]")
    page.click("button:has-text('开始生成')")
    page.wait_for_selector("text=已开始生成申报材料")

    build = FilingBuild.objects.get(campaign=campaign)
    assert build.status == "ready", build.error
    rows = page.locator("table.data >> nth=0").locator("tbody tr")
    assert rows.count() == areas + 2  # the package, one volume per area, the report
    page.screenshot(path=str(ARTIFACTS / "filing-page.png"), full_page=True)

    package = build.files.get(kind=FileKind.PACKAGE)
    with page.expect_download() as download:
        page.click(f"text={package.name}")
    with zipfile.ZipFile(download.value.path()) as archive:
        assert "材料目录.xlsx" in archive.namelist()
        assert archive.testzip() is None

    log_out(page)
    browser.log_in(page, base, "szq_sfj_liaison", DEMO_PASSWORD)
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    assert page.locator("a.btn:has-text('申报材料')").count() == 0
    assert page.locator("nav >> text=申报材料").count() == 0
