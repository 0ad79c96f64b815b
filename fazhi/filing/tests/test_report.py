"""The self-assessment report's draft: what the Word file says about each area, the scores, the
highlights, the shortcomings and the next steps, and who may download it."""

from datetime import date
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from docx import Document
from docx.oxml.ns import qn

from fazhi.campaigns import self_assessment
from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import Item, Stage, StageKind
from fazhi.evidence import services as evidence_services
from fazhi.filing.report import plain_number, render_report, report_context
from fazhi.filing.report_default import default_template_bytes
from fazhi.filing.report_templates import check_template
from fazhi.filing.report_vocabulary import VOCABULARY, sample_context
from fazhi.frameworks.models import Aggregation
from fazhi.reviews import services as review_services
from fazhi.reviews.models import Side, Verdict
from fazhi.reviews.selectors import campaign_totals

TODAY = date(2025, 3, 15)
D = review_services.DeductionEntry
LIAISONS = {"1.1.2": "scjg_liaison"}


@pytest.fixture
def submit(campaign, people):
    """Upload a file to an item as its lead unit's liaison and submit it."""

    def _submit(code: str):
        item = campaign.items.get(code=code)
        liaison = getattr(people, LIAISONS.get(code, "szq_liaison"))
        if not item.evidence_count:
            evidence_services.evidence_upload(
                acting_user=liaison, item=item, file=ContentFile(code.encode(), name="材料.txt")
            )
            item.refresh_from_db()
        campaign_services.item_submit(acting_user=liaison, item=item)
        item.refresh_from_db()
        return item

    return _submit


def decide(round_, item, verdict, comment, reviewer):
    review = round_.reviews.get(item=item)
    review_services.review_decide(
        acting_user=reviewer,
        review=review,
        verdict=verdict,
        comment=comment,
        version=review.version,
    )


def score(user, item, side, *deductions):
    return review_services.assessment_save(
        acting_user=user, item=item, side=side, deductions=list(deductions), version=None
    )


@pytest.fixture
def worked(campaign, people, submit):
    """Area 2 done and well scored (2.1.3 and 2.1.4 approved, reviewed 12 + 7.5 of 20); area 1
    behind: 1.1.1 returned twice and reviewed with a deduction, 1.1.2 past its deadline."""
    from fazhi.reviews.models import RoundScope

    items = {code: submit(code) for code in ("1.1.1", "2.1.3", "2.1.4")}
    round_ = review_services.round_open(
        acting_user=people.szq_lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=[review_services.ReviewerSeat(people.szq_reviewer)],
    )
    reviewer = people.szq_reviewer
    decide(round_, items["2.1.3"], Verdict.PASS, "", reviewer)
    decide(round_, items["2.1.4"], Verdict.PASS, "", reviewer)
    decide(round_, items["1.1.1"], Verdict.REVISE, "缺少年度复议工作报告", reviewer)
    submit("1.1.1")
    decide(round_, items["1.1.1"], Verdict.SUPPLEMENT, "复议决定书未加盖公章", reviewer)

    lead = people.szq_lead
    score(lead, items["1.1.1"], Side.SELF, D("", "自查发现复议决定未全部公开", "1"))
    score(reviewer, items["1.1.1"], Side.REVIEW, D("评分标准第2条", "未公开行政复议决定书", "2"))
    score(lead, items["2.1.3"], Side.SELF)
    score(reviewer, items["2.1.3"], Side.REVIEW)
    score(lead, items["2.1.4"], Side.SELF)
    score(reviewer, items["2.1.4"], Side.REVIEW, D("", "备案审查报告未按时报送", "0.5"))
    Item.objects.filter(campaign=campaign, code="1.1.2").update(deadline=date(2025, 1, 31))
    return campaign


@pytest.fixture
def written(worked, people):
    """`worked` with the written self-assessment: 2.1.3 explained in two paragraphs and chosen
    as a highlight, 1.1.1 explained, the lead office's 不足 and 下一步 typed in."""
    lead = people.szq_lead
    items = {item.code: item for item in worked.items.all()}
    explain(lead, items["2.1.3"], REVIEW_TEXT)
    explain(lead, items["1.1.1"], "2024年，区司法局共办理行政复议案件56件，按期办结率100%。")
    self_assessment.self_assessment_save(
        acting_user=lead,
        campaign=worked,
        highlight_item_ids=[items["2.1.3"].pk],
        highlights_text="创建工作坚持高位推动。\n区政府常务会议专题研究4次。",
        shortfalls="基层执法人员培训覆盖面不够广。",
        next_steps="2025年6月底前完成全区执法人员轮训。",
    )
    return worked


REVIEW_TEXT = (
    "2024年，区司法局对区政府及其部门制定的规范性文件全部进行合法性审查，共审查38件，"
    "提出修改意见112条。\n（见材料《合法性审查意见书》）"
)


def explain(user, item, text):
    return self_assessment.explanation_save(acting_user=user, item=item, text=text, version=None)


def draft(campaign, today=TODAY) -> Document:
    out = BytesIO()
    render_report(campaign=campaign, out=out, today=today)
    return Document(BytesIO(out.getvalue()))


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def row_starting(table, start: str) -> list[str]:
    found = [row for row in rows(table) if row[0].startswith(start)]
    assert len(found) == 1, rows(table)
    return found[0]


def numbers(*values) -> list[str]:
    return [str(plain_number(value)) for value in values]


# -- the Word draft ------------------------------------------------------------------------------


def test_the_draft_names_the_campaign_and_gives_each_area_its_row(worked):
    document = draft(worked)
    text = text_of(document)
    assert document.paragraphs[0].text == "市中区创建全国法治政府建设示范区自评报告"
    assert "截至2025年3月15日" in text and "评估期为2023年1月1日至2025年12月31日" in text
    assert "《测试指标体系》（2025）" in text
    assert "已通过审核 2 项，完成率 50%" in text
    progress = document.tables[0]
    # 一级指标, 任务项, 已通过, 待审核, 已退回, 逾期, 完成率, 佐证材料
    assert row_starting(progress, "1 依法全面履行政府职能") == [
        "1 依法全面履行政府职能", "2", "0", "0", "1", "1", "0%", "1"
    ]  # fmt: skip
    assert row_starting(progress, "2 健全依法行政制度体系") == [
        "2 健全依法行政制度体系", "2", "2", "0", "0", "0", "100%", "2"
    ]  # fmt: skip
    units = rows(document.tables[1])
    assert ["市中区司法局", "3", "2", "0", "67%"] in units
    assert ["市中区市场监督管理局", "1", "0", "1", "0%"] in units
    assert not any("{{" in p.text or "{%" in p.text for p in document.paragraphs)


def test_the_score_table_matches_the_campaigns_totals(worked):
    totals = campaign_totals(worked)
    table = draft(worked).tables[2]
    assert rows(table)[0][1] == "满分"
    assert row_starting(table, "合计")[1:] == numbers(
        totals.maximum, totals.scores["self"], totals.scores["review"], totals.scores["estimate"]
    )
    assert row_starting(table, "合计")[1:] == ["40", "29", "27.5", "27.5"]  # 1.1.2 unscored
    first = totals.areas[0]
    assert row_starting(table, "1 ")[1:] == numbers(
        first.maximum, first.scores["self"], first.scores["review"], first.scores["estimate"]
    )


def test_a_weighted_framework_shows_weights_and_the_weighted_total(worked):
    worked.framework.aggregation = Aggregation.WEIGHTED
    worked.framework.save(update_fields=["aggregation"])
    totals = campaign_totals(worked)
    table = draft(worked).tables[2]
    assert rows(table)[0][1] == "权重"
    assert row_starting(table, "合计")[1:] == numbers(
        totals.maximum, totals.scores["self"], totals.scores["review"], totals.scores["estimate"]
    )


def test_a_deduction_is_a_shortcoming_and_its_next_step_names_the_unit_and_deadline(worked):
    text = text_of(draft(worked))
    assert "1.1.1 行政复议案件依法办理：审核评分扣 2 分，扣分原因：未公开行政复议决定书。" in text
    # no filing date set: due 30 days from today
    assert "市中区司法局：2025年4月14日前针对“未公开行政复议决定书”补充完善“1.1.1" in text
    assert "自查发现复议决定未全部公开" not in text  # the reviewed score replaces the self one
    assert "2.1.4 备案审查：审核评分扣 0.5 分，扣分原因：备案审查报告未按时报送。" in text


def test_overdue_items_slow_areas_and_repeated_returns_are_shortcomings_with_next_steps(worked):
    Stage.objects.filter(campaign=worked, kind=StageKind.FILING).update(ends_on=date(2025, 5, 31))
    context = report_context(campaign=worked, today=TODAY)
    kinds = [entry["kind"] for entry in context["shortcomings"]]
    assert kinds == ["进度偏慢", "逾期", "扣分", "扣分", "多次退回"]
    assert len(context["next_steps"]) == len(kinds)
    slow, late, _, _, returned = context["shortcomings"]
    assert "依法全面履行政府职能：2 项任务中已通过 0 项，完成率 0%" in slow["text"]
    assert slow["unit"] == "市中区司法局、市中区市场监督管理局"
    assert late["text"].startswith(
        "1.1.2 行政执法公示制度全面推行：已超过完成时限（2025年1月31日）43 天"
    )
    assert "被退回 2 次（最近一次：复议决定书未加盖公章）" in returned["text"]
    steps = [step["text"] for step in context["next_steps"]]
    assert steps[1] == (
        "市中区市场监督管理局：2025年5月31日前补齐“1.1.2 行政执法公示制度全面推行”的佐证材料并提交审核。"
    )
    assert steps[4].startswith("市中区司法局：2025年5月31日前对照退回意见逐项整改“1.1.1")
    assert context["returned_repeatedly"] == [
        {
            "code": "1.1.1",
            "title": "行政复议案件依法办理",
            "area": "依法全面履行政府职能",
            "unit": "市中区司法局",
            "times": 2,
            "reason": "复议决定书未加盖公章",
        }
    ]


def test_a_fully_approved_well_scored_area_is_a_highlight(worked):
    highlights = report_context(campaign=worked, today=TODAY)["highlights"]
    assert highlights[0]["text"] == (
        "健全依法行政制度体系：2 项任务全部通过审核，预估得分 19.5 分（满分 20 分，得分率 98%）。"
    )
    assert all("依法全面履行政府职能" not in h["text"] for h in highlights)
    text = text_of(draft(worked))
    assert "1. 健全依法行政制度体系：2 项任务全部通过审核" in text


def test_a_campaign_with_nothing_done_still_gets_a_draft(campaign):
    document = draft(campaign)
    text = text_of(document)
    assert "已通过审核 0 项，完成率 0%" in text
    assert "（请补充本地区创建工作的特色做法和成效。）" in text
    assert row_starting(document.tables[2], "合计")[1:] == ["40", "0", "0", "0"]


def test_the_context_holds_exactly_the_vocabulary(written):
    context = report_context(campaign=written, today=TODAY)
    sample = sample_context()
    assert list(context) == list(sample) == [term.name for term in VOCABULARY]
    for term in VOCABULARY:
        names = [field.name for field in term.fields]
        if term.loop:
            assert context[term.name], term.name  # the fixture gives every list an entry
            assert all(list(entry) == names for entry in context[term.name]), term.name
        elif names:
            assert list(context[term.name]) == names, term.name
        assert type(context[term.name]) is type(sample[term.name]), term.name


def test_no_field_name_is_hidden_by_a_dict_method():
    # `{{ a.items }}` would print dict.items, not the entry's "items"
    names = {field.name for term in VOCABULARY for field in term.fields}
    assert not names & set(dir(dict))


def test_the_context_reads_a_fixed_number_of_queries(worked, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        report_context(campaign=worked, today=TODAY)


def test_the_built_in_template_passes_the_upload_check_and_uses_chinese_fonts():
    check_template(default_template_bytes(), name="内置模板.docx")
    document = Document(BytesIO(default_template_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、总体情况",
        "二、分项自评",
        "三、工作亮点",
        "四、存在的不足",
        "五、下一步工作打算",
    ]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_values_are_escaped_for_the_documents_xml(worked):
    worked.name = "市中区<创建>&示范"
    worked.save(update_fields=["name"])
    assert draft(worked).paragraphs[0].text == "市中区<创建>&示范自评报告"


# -- the download --------------------------------------------------------------------------------


def test_the_lead_office_downloads_the_draft(worked, people, login):
    response = login(people.szq_lead).get(f"/filing/campaigns/{worked.pk}/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        quote("市中区创建全国法治政府建设示范区-自评报告（初稿）.docx")
        in (response["Content-Disposition"])
    )
    document = Document(BytesIO(response.content))
    assert document.paragraphs[0].text == "市中区创建全国法治政府建设示范区自评报告"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("szq_leader", 200), ("city_lead", 200), ("szq_liaison", 403), ("xc_lead", 404)],
)
def test_who_may_download_the_draft(worked, people, login, persona, status):
    response = login(getattr(people, persona)).get(f"/filing/campaigns/{worked.pk}/report.docx")
    assert response.status_code == status


# -- the written self-assessment -----------------------------------------------------------------


def paragraphs_between(document, start: str, end: str | None) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    first = texts.index(start) + 1
    last = texts.index(end) if end else len(texts)
    return texts[first:last]


def test_the_report_has_the_five_parts_with_each_indicators_explanation(written):
    document = draft(written)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、总体情况",
        "二、分项自评",
        "三、工作亮点",
        "四、存在的不足",
        "五、下一步工作打算",
    ]
    itemised = paragraphs_between(document, "二、分项自评", "三、工作亮点")
    assert itemised[0] == "（一）依法全面履行政府职能（自评得分 9 分，满分 20 分）"
    assert "1.1.1 行政复议案件依法办理（自评得分 9 分，分值 10 分）" in itemised
    assert "2024年，区司法局共办理行政复议案件56件，按期办结率100%。" in itemised
    assert "1.1.2 行政执法公示制度全面推行（尚未自评，分值 10 分）" in itemised
    assert itemised[
        itemised.index("1.1.2 行政执法公示制度全面推行（尚未自评，分值 10 分）") + 1
    ] == ("（尚未填写自评说明）")
    assert "（二）健全依法行政制度体系（自评得分 20 分，满分 20 分）" in itemised
    # a two-line explanation is two paragraphs of the report
    at = itemised.index("2.1.3 规范性文件合法性审查（自评得分 12 分，分值 12 分）")
    assert itemised[at + 1].startswith("2024年，区司法局对区政府及其部门")
    assert itemised[at + 2] == "（见材料《合法性审查意见书》）"


def test_the_lead_offices_highlights_shortfalls_and_next_steps_replace_the_drafted_ones(written):
    document = draft(written)
    highlights = paragraphs_between(document, "三、工作亮点", "四、存在的不足")
    assert highlights[:3] == [
        "创建工作坚持高位推动。",
        "区政府常务会议专题研究4次。",
        "1. 规范性文件合法性审查",
    ]
    assert highlights[3].startswith("2024年，区司法局对区政府及其部门")
    assert not any("全部通过审核" in text for text in highlights)
    assert paragraphs_between(document, "四、存在的不足", "五、下一步工作打算") == [
        "基层执法人员培训覆盖面不够广。"
    ]
    steps = paragraphs_between(document, "五、下一步工作打算", "")[:1]
    assert steps == ["2025年6月底前完成全区执法人员轮训。"]


def test_without_the_lead_offices_text_the_drafted_lists_stay(worked):
    text = text_of(draft(worked))
    assert "针对以上不足，下一步将重点做好以下工作：" in text
    assert "（尚未填写自评说明）" in text


def test_the_context_gives_the_explanations_and_the_chosen_highlights(written):
    context = report_context(campaign=written, today=TODAY)
    first = context["areas"][0]
    assert first["ordinal"] == "一"
    entry = first["self_items"][0]
    assert entry["code"] == "1.1.1"
    assert entry["explained"] is True
    assert entry["self_score"] == 9
    assert entry["points"] == 10
    assert [h["code"] for h in context["highlight_items"]] == ["2.1.3"]
    assert context["shortfalls_paragraphs"] == ["基层执法人员培训覆盖面不够广。"]
    assert context["summary"]["explained"] == 2
    assert [i["code"] for i in context["self_items"]] == ["1.1.1", "1.1.2", "2.1.3", "2.1.4"]


def test_a_template_of_the_old_vocabulary_still_fills(written):
    """An uploaded template written before the written self-assessment keeps working."""
    from fazhi.filing.report_templates import fill

    out = BytesIO()
    fill(old_template(), report_context(campaign=written, today=TODAY), out)
    text = text_of(Document(BytesIO(out.getvalue())))
    assert "市中区：健全依法行政制度体系：2 项任务全部通过审核" in text


def old_template() -> bytes:
    document = Document()
    document.add_paragraph("{{ campaign.region }}自评")
    document.add_paragraph("{%p for entry in highlights %}")
    document.add_paragraph("{{ campaign.region }}：{{ entry.text }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p for s in shortcomings %}")
    document.add_paragraph("{{ s.text }}（{{ s.unit }}）")
    document.add_paragraph("{%p endfor %}")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
