"""The edition move in a real browser: 市中区's lead office has a campaign on the demo framework
under way when the framework is revised (one indicator's points changed, one new indicator
naming its lead unit, one withdrawn); it previews the move item by item, confirms it, and finds
the withdrawn item's material still on its archived page."""

from datetime import date

from django.core.files.base import ContentFile
from playwright.sync_api import expect

from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import services
from fazhi.campaigns.models import Item, StageKind
from fazhi.campaigns.tests.test_stages import set_stage
from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE
from fazhi.evidence.services import evidence_upload
from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.selectors import framework_rows
from fazhi.frameworks.services import framework_create

pytestmark = BROWSER


def _log_in(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _revise(framework):
    """The province's revision: the first indicator worth one point less, the third
    withdrawn, a new one in its group led by 区市场监管局 and worth what the two lost."""
    rows = framework_rows(framework=framework)
    parents = {row["parent_code"] for row in rows}
    leaves = [row for row in rows if row["code"] not in parents]
    leaves[0]["points"] -= 1
    withdrawn = leaves[2]
    new = {
        **withdrawn,
        "code": f"{withdrawn['parent_code']}.99",
        "number": "99",
        "title": "公平竞争审查制度全面落实",
        "description": "涉及经营主体经济活动的政策措施全部经公平竞争审查。",
        "scoring_rules": "未经审查出台政策措施的，每件扣2分。",
        "points": withdrawn["points"] + 1,
        "lead_unit": "区市场监管局",
        "responsible_units": ["区司法局"],
    }
    rows.insert(rows.index(withdrawn) + 1, new)
    rows.remove(withdrawn)
    for row in rows:
        row.pop("row", None)
    revised = framework_create(
        acting_user=SYSTEM, name=framework.name, edition="2026年修订", rows=rows
    )
    return revised, leaves[0]["code"], withdrawn


def test_a_campaign_moves_to_the_revised_edition_and_keeps_the_withdrawn_items_material(
    page, live_server, people, tree
):
    url = live_server.url
    framework = load_demo_framework()
    campaign = services.campaign_create(
        acting_user=people.szq_lead,
        framework=framework,
        region=tree.szq,
        name="市中区创建示范（浏览器）",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    revised, changed_code, withdrawn = _revise(framework)
    old_item = campaign.items.get(code=withdrawn["code"])
    services.items_assign(
        acting_user=people.szq_lead,
        campaign=campaign,
        items=[old_item],
        lead_unit=tree.units.szq_sfj,
    )
    evidence_upload(
        acting_user=people.szq_lead,
        item=old_item,
        file=ContentFile("工作台账".encode(), name="原指标工作台账.txt"),
    )

    _log_in(page, url, people.szq_lead)
    page.goto(f"{url}/campaigns/{campaign.pk}/")
    page.click("#migrate-link")
    page.select_option("#choose-edition select[name=framework]", str(revised.pk))
    page.click("#choose-edition button[type=submit]")
    counts = page.locator("#migrate-counts")
    expect(counts.locator("[data-kind=changed] strong")).to_have_text("1")
    expect(counts.locator("[data-kind=new] strong")).to_have_text("1")
    expect(counts.locator("[data-kind=withdrawn] strong")).to_have_text("1")
    page.click("#migrate-counts [data-kind=new]")
    expect(page.locator("#migrate-entries")).to_contain_text("公平竞争审查制度全面落实")
    expect(page.locator("#migrate-entries")).to_contain_text("区市场监管局")
    page.click("#migrate-counts [data-kind=withdrawn]")
    expect(page.locator("#migrate-entries")).to_contain_text(withdrawn["title"])
    expect(page.locator("#migrate-entries")).to_contain_text("材料 1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.click("#migrate-counts a.card >> nth=0")
    page.screenshot(path=str(ARTIFACTS / "migrate-preview.png"), full_page=False)

    # The confirmation needs the tick; then the campaign runs on the new edition.
    page.check("#migrate-confirm input[name=confirm]")
    page.click("#confirm-migrate")
    page.wait_for_url(f"{url}/campaigns/{campaign.pk}/")
    expect(page.locator(".msg.success")).to_contain_text("撤销 1 项")
    expect(page.locator("#recheck-banner")).to_contain_text("1 个任务项")
    page.screenshot(path=str(ARTIFACTS / "migrate-campaign.png"), full_page=False)
    campaign.refresh_from_db()
    assert campaign.framework_id == revised.pk
    assert campaign.items.get(code=changed_code).recheck_note
    new_item = campaign.items.get(title="公平竞争审查制度全面落实")
    assert new_item.assignments.get(role="lead").unit == tree.units.szq_scjg

    # The withdrawn item: out of the list, its material still there.
    page.click("text=已撤销的任务项（1）")
    page.click(f"#archived >> text={withdrawn['title'][:20]}")
    expect(page.locator("#archived-note")).to_be_visible()
    expect(page.locator("body")).to_contain_text("原指标工作台账")
    assert Item.with_archived.get(pk=old_item.pk).evidence.count() == 1

    # Later, in 评估: uploads are closed; the lead office reopens the new item with a reason.
    set_stage(campaign, StageKind.EVALUATION)
    page.goto(f"{url}/campaigns/{campaign.pk}/")
    expect(page.locator("#stages [aria-current=step]")).to_contain_text("评估")
    expect(page.locator("#stage-windows")).to_contain_text("上传材料：已关闭")
    page.screenshot(path=str(ARTIFACTS / "stages-campaign.png"), full_page=False)
    page.goto(f"{url}/campaigns/items/{new_item.pk}/")
    page.fill("#reopen-form input[name=reason]", "省评估组要求补充公平竞争审查台账")
    page.click("#reopen-form button[type=submit]")
    expect(page.locator("#reopen-note")).to_contain_text("补充公平竞争审查台账")

    # The preview reads on a phone too, without sideways scrolling.
    context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    _log_in(phone, url, people.szq_lead)
    phone.goto(f"{url}/campaigns/{campaign.pk}/migrate/?framework={framework.pk}")
    expect(phone.locator("#migrate-entries")).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(ARTIFACTS / "migrate-preview-phone.png"), full_page=False)
