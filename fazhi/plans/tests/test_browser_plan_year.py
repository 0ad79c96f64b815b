"""A plan's year in a real browser: the lead office sends its plan out for comment, a unit
comments on its phone, the lead office answers, records the legal review, the meeting and the
document number; the unit reports its quarter with a file on its phone; the lead office marks
the measure done and downloads the ledger and the year-end summary."""

import io
from datetime import date

from docx import Document
from openpyxl import load_workbook

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE
from fazhi.plans.importing import plan_import
from fazhi.plans.models import CommentDecision, MeasureStatus, PlanStatus, ProgressReport
from fazhi.plans.planreading import read_plan_lines

pytestmark = BROWSER

LINES = [
    "一、健全依法行政制度体系",
    "（一）加强规范性文件管理。（牵头单位：区司法局；责任单位：区市场监管局；完成时限：年底前）",
]


def _log_in(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _step(page, **fields):
    page.once("dialog", lambda dialog: dialog.accept())  # "此步骤不能撤回" is confirmed
    for name, value in fields.items():
        page.fill(f"#advance-form [name={name}]", value)
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector(".msg.success")


def test_a_plan_from_consultation_to_year_end(page, live_server, people, tree, tmp_path):
    year = date.today().year
    plan = plan_import(
        acting_user=people.szq_lead,
        region=tree.szq,
        year=year,
        name=f"市中区{year}年工作要点",
        reading=read_plan_lines(LINES, year=year),
    ).plan
    measure = plan.measures.get()
    url = live_server.url
    phone_context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()

    _log_in(page, url, people.szq_lead)
    page.goto(f"{url}/plans/{plan.pk}/")
    _step(page, consultation_until=f"{year}-01-31")

    _log_in(phone, url, people.scjg_liaison)
    phone.goto(f"{url}/plans/measures/{measure.pk}/")
    phone.fill("#comment-form textarea[name=text]", "建议同步公布清理结果")
    phone.click("#comment-form button[type=submit]")
    phone.wait_for_selector(".msg.success")

    page.goto(f"{url}/plans/measures/{measure.pk}/")
    page.select_option(".answer-form select[name=decision]", "partly")
    page.fill(".answer-form input[name=reason]", "在区政府网站公布")
    page.click(".answer-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert plan.comments.get().decision == CommentDecision.PARTLY

    page.goto(f"{url}/plans/{plan.pk}/")
    _step(page)  # to 合法性审查
    page.fill("#legal-review-form [name=reviewer]", "区政府法律顾问")
    page.fill("#legal-review-form [name=opinion]", "未发现违法内容")
    page.fill("#legal-review-form [name=reviewed_on]", f"{year}-02-10")
    page.click("#legal-review-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    _step(page, adopted_meeting="区政府常务会议", adopted_on=f"{year}-02-20")
    _step(page, doc_number=f"市中政办发〔{year}〕5号", issued_on=f"{year}-02-28")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED and plan.periods.count() == 4

    report = tmp_path / "清理台账.txt"
    report.write_text("清理台账", encoding="utf-8")
    phone.goto(f"{url}/plans/measures/{measure.pk}/")
    phone.fill("#report-form textarea[name=text]", "配合清理规范性文件 5 件")
    phone.set_input_files("#report-form input[name=files]", str(report))
    phone.click("#report-form button[type=submit]")
    phone.wait_for_selector(".msg.success")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "plan-measure-phone.png"), full_page=True)
    assert ProgressReport.objects.get().files.get().original_name == "清理台账.txt"

    page.goto(f"{url}/plans/measures/{measure.pk}/")
    page.select_option("#status-form select[name=status]", "completed")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.COMPLETED

    page.goto(f"{url}/plans/{plan.pk}/")
    with page.expect_download() as ledger:
        page.click("text=导出工作台账（Excel）")
    book = load_workbook(io.BytesIO(ledger.value.path().read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][5].endswith("配合清理规范性文件 5 件") and rows[2][6] == "已完成"
    with page.expect_download() as summary:
        page.click("text=完成情况总结（Word）")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(summary.value.path().read_bytes())).paragraphs
    )
    assert "完成状态：已完成" in text and "配合清理规范性文件 5 件" in text
    page.screenshot(path=str(ARTIFACTS / "plan-issued.png"), full_page=True)
    phone_context.close()
