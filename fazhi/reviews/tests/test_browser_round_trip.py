"""A review round trip in a real browser: the liaison submits, the lead office opens a round,
the reviewer asks for more material with a note on a file, the liaison answers and resubmits,
the reviewer passes and scores, the leader's dashboard shows the approved item and the
estimated score, and, once the filing is submitted, the city's evaluation shows the written score
its expert gives."""

import re

from fazhi.accounts.models import User
from fazhi.campaigns.demo import load_demo_campaign, set_period
from fazhi.campaigns.models import AssignmentRole, ItemStatus, StageKind
from fazhi.campaigns.stages import current_stage
from fazhi.core.demo import Calendar
from fazhi.core.tests import browser
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, log_out
from fazhi.fieldwork import services as fieldwork
from fazhi.filing import demo as filing_demo
from fazhi.frameworks.demo import load_demo_framework
from fazhi.orgs.demo import load_demo_orgs
from fazhi.orgs.models import Region
from fazhi.reviews.models import Assessment

pytestmark = BROWSER
DEMO_PASSWORD = "Fazhi@2026"


def log_in(page, base, username):
    browser.log_in(page, base, username, DEMO_PASSWORD)


def evaluation_stage_begins(campaign):
    """The lead office moves the stage dates so that 评估 starts today."""
    ago = Calendar.from_clock()
    ago = Calendar(ago.day(-61))  # demo stages put 评估 61 days after their calendar's today
    set_period(campaign, ago, acting_user=User.objects.get(username="szq_admin"))
    assert current_stage(campaign).kind == StageKind.EVALUATION


def city_evaluation(campaign):
    """枣庄市's evaluation of its counties, with this campaign on it, the city's expert as
    evaluator, and the field and survey scores already in."""
    city_office = User.objects.get(username="zz_admin")
    evaluation = fieldwork.evaluation_create(
        acting_user=city_office, region=Region.objects.get(code="370400"), name="2025年度全市评估"
    )
    (applicant,) = fieldwork.applicants_add(
        acting_user=city_office, evaluation=evaluation, campaigns=[campaign]
    )
    fieldwork.evaluator_grant(
        acting_user=city_office, evaluation=evaluation, user=User.objects.get(username="zz_expert")
    )
    fieldwork.applicant_scores_save(
        acting_user=city_office, applicant=applicant, field_score="90", survey_score="95", version=0
    )
    return evaluation


def test_review_return_resubmit_pass_score_dashboard_and_ranking(page, live_server, db):
    load_demo_orgs()
    campaign = load_demo_campaign(load_demo_framework())
    item = (
        campaign.items.filter(
            evidence_count__gt=0,
            children__isnull=True,
            assignments__role=AssignmentRole.LEAD,
            assignments__unit__code="370402-sfj",
        )
        .order_by("sort_key")
        .first()
    )
    evaluation = city_evaluation(campaign)
    base = live_server.url
    item_url = f"{base}/campaigns/items/{item.pk}/"
    page.on("dialog", lambda dialog: dialog.accept())

    # The liaison submits the item's materials.
    log_in(page, base, "szq_sfj_liaison")
    page.goto(item_url)
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交审核")
    log_out(page)

    # The lead office opens the first round with its reviewer.
    log_in(page, base, "szq_admin")
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    page.click("a:has-text('审核轮次')")
    page.fill("input[name=name]", "内部审核")
    page.fill("input[name=starts_on]", "2025-03-01")
    page.fill("input[name=ends_on]", "2025-03-31")
    page.check("label:has-text('李静') >> xpath=../..//input[@name='reviewer']")
    page.click("button:has-text('开启本轮')")
    page.wait_for_selector("text=已开启第1轮 内部审核")
    log_out(page)

    # The reviewer finds the item in the queue and asks for more material, with a file note.
    log_in(page, base, "szq_reviewer")
    page.click("nav >> text=审核任务")
    page.click("text=去审核")
    page.click(f"text={item.title[:10]}")
    page.check("input[name=verdict][value=supplement]")
    page.fill("textarea[name=comment]", "请补充评估期内的复议决定书")
    page.click("summary:has-text('对具体材料的意见')")
    page.locator("input[name^=note_]").first.fill("此件未盖章")
    page.click("button:has-text('提交审核意见')")
    page.wait_for_selector("text=补充材料。")
    log_out(page)

    # The liaison sees what came back and why, answers and resubmits.
    log_in(page, base, "szq_sfj_liaison")
    page.goto(item_url)
    page.wait_for_selector("text=请补充评估期内的复议决定书")
    page.wait_for_selector("text=此件未盖章")
    page.fill("input[name=note]", "已补充盖章件")
    page.click("button:has-text('重新提交')")
    page.wait_for_selector("text=已提交审核")
    log_out(page)

    # The reviewer passes it and scores it with one deduction.
    log_in(page, base, "szq_reviewer")
    page.goto(item_url)
    page.wait_for_selector("text=已补充盖章件")
    page.check("input[name=verdict][value=pass]")
    page.click("button:has-text('提交审核意见')")
    page.wait_for_selector("text=：通过。")
    form = page.locator("form.score-form").filter(has_text="保存审核评分")
    form.locator("input[name=reason]").first.fill("未体现实施效果")
    form.locator("input[name=points]").first.fill("1")
    form.locator("button:has-text('保存审核评分')").click()
    page.wait_for_selector("text=审核评分：")
    page.screenshot(path=str(ARTIFACTS / "review-item.png"), full_page=True)
    log_out(page)
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    scored = Assessment.objects.get(item=item, side="review")
    assert scored.score == item.points - 1

    # The leader's dashboard counts the approved item and the estimated score.
    log_in(page, base, "szq_leader")
    page.goto(f"{base}/dashboards/campaigns/{campaign.pk}/")
    scores = page.locator("#panel-scores")
    expected = f"预估 {float(scored.score):g}。"
    assert expected in scores.inner_text()
    assert re.search(r"已通过\s*1%|1 / 104", page.locator("main").inner_text())
    page.wait_for_function("() => document.querySelector('#chart-scores canvas') !== null")
    page.screenshot(path=str(ARTIFACTS / "review-dashboard.png"), full_page=True)
    log_out(page)

    # Time passes: the province's evaluation stage (评估) begins. The written review still
    # waits for the filing, and the expert is told so in its place on the item page.
    evaluation_stage_begins(campaign)
    log_in(page, base, "zz_expert")
    page.goto(item_url)
    closed = page.locator("#written-closed")
    assert "尚未提交申报" in closed.inner_text()
    assert page.locator("form.score-form").filter(has_text="保存书面评审").count() == 0

    # The lead office submits the filing (built without the bound volumes, as the demo's).
    filing_demo.submit_as_built(
        campaign, User.objects.get(username="szq_admin"), note="报送市依法治市办"
    )

    # The city's expert gives the written score; the city's ranking table shows it.
    page.reload()
    assert page.locator("#written-closed").count() == 0
    form = page.locator("form.score-form").filter(has_text="保存书面评审")
    form.locator("input[name=reason]").first.fill("年度报告未按时公开")
    form.locator("input[name=points]").first.fill("2")
    form.locator("button:has-text('保存书面评审')").click()
    page.wait_for_selector("text=书面评审：")
    log_out(page)
    log_in(page, base, "zz_admin")
    page.click("nav >> text=省级评估")
    page.click(f"text={evaluation.name}")
    row = page.locator(f"#applicant-{evaluation.applicants.get().pk}").inner_text()
    written = float(item.points - 2) / 1000 * 100  # of the framework's 1000 points
    assert f"{written:g}" in row and "评审中" in row and "已评 1/" in row
    page.screenshot(path=str(ARTIFACTS / "review-ranking.png"), full_page=True)
