"""The heart of the product in a real browser: the lead office creates a campaign from the demo
framework, refines and assigns items; a liaison uploads files and a ZIP of GBK-named folders,
which land on the right items with their text; search finds them by a Chinese phrase; the checks
flag the duplicate and the out-of-period date."""

from fazhi.campaigns.models import Campaign
from fazhi.core.tests import browser
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, log_out
from fazhi.evidence.models import Evidence
from fazhi.evidence.tests import documents
from fazhi.evidence.tests.zips import Entry, build_zip
from fazhi.frameworks.demo import load_demo_framework
from fazhi.orgs.demo import load_demo_orgs

pytestmark = BROWSER
DEMO_PASSWORD = "Fazhi@2026"


def log_in(page, base, username):
    browser.log_in(page, base, username, DEMO_PASSWORD)


def materials_zip(tmp_path, first_code, second_code):
    """A ZIP as Chinese Windows writes it: GBK names without the UTF-8 flag."""
    pdf = documents.build_pdf(tmp_path / "d.pdf", ["市中区行政复议决定书", "2024年5月8日"])
    old = "市中区规范性文件清理结果\n2019年4月2日".encode("gbk")
    return build_zip(
        tmp_path / "司法局材料.zip",
        Entry(f"{first_code} 行政复议/复议决定书.pdf".encode("gbk"), data=pdf.read_bytes()),
        Entry(f"{first_code} 行政复议/复议决定书（副本）.pdf".encode("gbk"), data=pdf.read_bytes()),
        Entry(f"{second_code} 文件清理/清理结果.txt".encode("gbk"), data=old),
    )


def test_campaign_refinement_assignment_zip_upload_search_and_checks(
    page, live_server, db, tmp_path
):
    load_demo_orgs()
    framework = load_demo_framework()
    base = live_server.url

    # The lead office creates the campaign from the demo framework.
    log_in(page, base, "szq_admin")
    page.click("nav >> text=创建活动")
    page.click("text=新建创建活动")
    page.fill("input[name=name]", "市中区创建全国法治政府建设示范区")
    page.select_option("select[name=framework]", str(framework.pk))
    page.fill("input[name=period_start]", "2023-01-01")
    page.fill("input[name=period_end]", "2025-12-31")
    page.click("button:has-text('创建')")
    page.wait_for_selector("text=共 104 个任务项")
    campaign = Campaign.objects.get(name="市中区创建全国法治政府建设示范区")

    # Refines one indicator into two items.
    own = campaign.items.filter(assignments__unit__code="370402-sfj", assignments__role="lead")
    first, second = own.order_by("sort_key")[:2]
    page.goto(f"{base}/campaigns/items/{second.pk}/")
    for title in ("文件清理制度", "清理结果公开"):
        page.fill("textarea[name=title]", title)
        page.click("button:has-text('添加')")
        page.wait_for_selector("text=已添加细化指标")
    assert second.children.count() == 2

    # Bulk assignment: the market regulator joins two items with a deadline.
    page.goto(f"{base}/campaigns/{campaign.pk}/?q={first.code}")
    page.check(f"input[name=items][value='{first.pk}']")
    page.select_option("select[name=add_units]", label="区市场监管局")
    page.fill("#assign input[name=deadline]", "2025-06-30")
    page.click("text=应用到所选任务项")
    page.wait_for_selector("text=已更新 1 个任务项的分工")
    assert first.assignments.filter(unit__code="370402-scjgj").exists()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign-detail.png"), full_page=True)
    log_out(page)

    # The liaison sees the task, uploads one file by the page's uploader...
    log_in(page, base, "szq_sfj_liaison")
    page.click("nav >> text=我的任务")
    page.click(f"text={first.title[:20]}")
    notice = tmp_path / "复议工作总结.txt"
    notice.write_text("2024年行政复议工作总结：依法办理行政复议案件三十件。", encoding="utf-8")
    page.set_input_files("form[data-uploader] input[type=file]", str(notice))
    page.wait_for_selector(".upload-list li.done")
    assert "已上传" in page.inner_text(".upload-list")

    # ...and a ZIP of GBK-named folders for the whole campaign.
    refined = second.children.order_by("sort_key").first()
    archive = materials_zip(tmp_path, first.code, refined.code)
    page.goto(f"{base}/evidence/campaigns/{campaign.pk}/zip/")
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=上传并解压")
    page.wait_for_selector("text=成功 3 个，未上传 0 个")
    page.screenshot(path=str(ARTIFACTS / "zip-result.png"), full_page=True)
    decision = Evidence.objects.get(title="复议决定书")
    assert decision.item_id == first.pk and "行政复议决定书" in decision.current.blob.text
    assert Evidence.objects.get(title="清理结果").item_id == refined.pk

    # Search by a Chinese phrase.
    page.goto(f"{base}/campaigns/{campaign.pk}/search/")
    page.fill("input[name=q]", "复议决定")
    page.click("button:has-text('搜索')")
    page.wait_for_selector("ol.hits mark")
    assert "复议决定书" in page.inner_text("ol.hits")

    # The checks flag the duplicate and the date before the period.
    page.goto(f"{base}/campaigns/{campaign.pk}/checks/")
    body = page.inner_text("main")
    assert "复议决定书（副本）" in body and "1 组" in body
    assert "清理结果" in body and "2019-04-02" in body
    page.screenshot(path=str(ARTIFACTS / "checks.png"), full_page=True)
