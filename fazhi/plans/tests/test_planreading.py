"""Reading plan documents in the house styles found in published 工作要点: the numbering, the unit
annotations and the deadlines differ from one government to the next."""

from datetime import date

from fazhi.plans.planreading import read_plan_lines

# 聊城-like: 一、 areas, （一） measures, labelled bracket at the end, deadline in the bracket.
LABELLED = """聊城市2024年法治政府建设工作要点
为深入贯彻落实习近平法治思想，制定本要点。
一、深入学习贯彻习近平法治思想
（一）加强学习宣传。把习近平法治思想作为党委（党组）理论学习中心组学习的重要内容。（牵头单位：市委依法治市办；责任单位：各县区政府、市直有关部门；完成时限：2024年6月底前）
（二）健全领导责任制。严格落实党政主要负责人履行推进法治建设第一责任人职责规定。（牵头单位：市委组织部，配合单位：市司法局；完成时限：年底前）
二、健全政府机构职能体系
（一）深化“放管服”改革。持续优化营商环境。（市政务服务管理局牵头，市发展改革委、市市场监管局等按职责分工负责）
（二）全面实行政府权责清单制度。（市委编办牵头，各县区政府负责；每季度）
附件：1. 任务分解表
抄送：市委办公室
"""

# 市南区-like: 1. measures, labels on their own lines, a deadline in the sentence.
OWN_LINES = """一、完善依法行政制度体系
1. 加强重点领域立法。2024年10月底前完成规范性文件清理。
牵头单位：区司法局
责任单位：区发展改革局、区财政局
2、严格规范性文件备案审查
责任单位：区政府办公室
完成时限：持续推进
二、推进严格规范公正文明执法
1. 全面推行行政执法“三项制度”。
（1）推行执法公示。
（2）推行执法全过程记录。
责任单位：区各行政执法部门
"""


def test_labelled_brackets_give_areas_measures_units_and_deadlines():
    reading = read_plan_lines(LABELLED.splitlines(), year=2024)

    assert reading.problems == []
    assert reading.title == "聊城市2024年法治政府建设工作要点"
    assert [area.title for area in reading.areas] == [
        "深入学习贯彻习近平法治思想",
        "健全政府机构职能体系",
    ]
    first, second = reading.areas[0].measures
    assert (first.code, first.title) == ("1.1", "加强学习宣传")
    assert first.lead_names == ["市委依法治市办"]
    assert first.responsible_names == ["各县区政府", "市直有关部门"]
    assert (first.deadline_text, first.deadline) == ("2024年6月底前", date(2024, 6, 30))
    assert second.lead_names == ["市委组织部"]
    assert second.responsible_names == ["市司法局"]
    assert second.deadline == date(2024, 12, 31)


def test_unit_sentence_in_brackets_and_a_rhythm_without_date():
    reading = read_plan_lines(LABELLED.splitlines(), year=2024)
    reform, lists = reading.areas[1].measures

    assert reform.title == "深化“放管服”改革"
    assert reform.detail == "持续优化营商环境。"
    assert reform.lead_names == ["市政务服务管理局"]
    assert reform.responsible_names == ["市发展改革委", "市市场监管局"]
    assert (reform.deadline_text, reform.deadline) == ("", None)
    assert lists.lead_names == ["市委编办"]
    assert lists.responsible_names == ["各县区政府"]
    assert (lists.deadline_text, lists.deadline) == ("每季度", None)


def test_attachment_and_copy_lines_end_the_plan():
    reading = read_plan_lines(LABELLED.splitlines(), year=2024)
    assert len(reading.measures) == 4
    assert "附件" not in reading.measures[-1].detail


def test_labels_on_their_own_lines_and_deeper_numbering_stay_in_the_measure():
    reading = read_plan_lines(OWN_LINES.splitlines(), year=2024)

    assert reading.problems == []
    laws, filing = reading.areas[0].measures
    assert laws.title == "加强重点领域立法"
    assert laws.lead_names == ["区司法局"]
    assert laws.responsible_names == ["区发展改革局", "区财政局"]
    assert laws.deadline == date(2024, 10, 31)
    assert filing.title == "严格规范性文件备案审查"
    assert (filing.deadline_text, filing.deadline) == ("持续推进", None)
    (enforcement,) = reading.areas[1].measures
    assert enforcement.title == "全面推行行政执法“三项制度”"
    assert "推行执法公示" in enforcement.detail
    assert enforcement.responsible_names == ["区各行政执法部门"]


def test_an_impossible_month_is_named_with_its_paragraph():
    lines = ["一、领域", "（一）措施甲。（牵头单位：市司法局；完成时限：2024年13月底前）"]
    reading = read_plan_lines(lines, year=2024)

    assert [str(problem) for problem in reading.problems] == [
        "第 2 段：完成时限“2024年13月底前”中的月份 13 不存在"
    ]
    assert reading.measures[0].deadline is None


def test_a_document_without_numbered_areas_says_what_was_expected():
    reading = read_plan_lines(["关于做好法治工作的通知", "各单位要高度重视。"], year=2024)
    assert reading.areas == []
    assert str(reading.problems[0]).startswith("第 1 段：没有识别到领域标题")


def test_a_measure_without_title_and_an_area_without_measures_are_reported():
    lines = ["一、领域甲", "（一）（牵头单位：市司法局）", "二、领域乙", "这一领域只有文字。"]
    reading = read_plan_lines(lines, year=2024)
    assert [str(problem) for problem in reading.problems] == [
        "第 2 段：这一条措施没有标题（编号后没有文字）",
        "第 3 段：领域“领域乙”下没有识别到编号的措施",
    ]


def test_a_year_in_the_body_is_not_a_deadline_but_a_dated_completion_is():
    lines = [
        "一、领域",
        "1. 巩固2023年以来的改革成果。",
        "2. 制定实施方案，2025年3月15日前印发。",
        "3. 开展专项检查，上半年完成。",
    ]
    first, second, third = read_plan_lines(lines, year=2024).measures
    assert first.deadline is None and first.deadline_text == ""
    assert second.deadline == date(2025, 3, 15)
    assert third.deadline == date(2024, 6, 30)


def test_one_unit_in_charge_leads_and_a_responsible_label_alone_names_no_lead():
    lines = [
        "一、领域",
        "（一）措施甲。（市司法局负责）",
        "（二）措施乙（责任单位：市财政局、市审计局）",
        "（三）措施丙。（市委编办牵头，各县区政府负责）",
    ]
    first, second, third = read_plan_lines(lines, year=2024).measures
    assert (first.lead_names, first.responsible_names) == (["市司法局"], [])
    assert second.title == "措施乙"
    assert (second.lead_names, second.responsible_names) == ([], ["市财政局", "市审计局"])
    assert (third.lead_names, third.responsible_names) == (["市委编办"], ["各县区政府"])


def test_an_unlabelled_rhythm_after_the_units_is_the_deadline():
    lines = [
        "一、领域",
        "（一）措施甲。（牵头单位：区气象局；每季度）",
        "（二）措施乙（责任单位：区财政局；2025年9月底前）",
    ]
    first, second = read_plan_lines(lines, year=2025).measures
    assert (first.lead_names, first.deadline_text) == (["区气象局"], "每季度")
    assert (second.responsible_names, second.deadline) == (["区财政局"], date(2025, 9, 30))
