"""The report's vocabulary: every name a self-assessment report template can use, with its
meaning and an example. The template page lists it for template authors, and an uploaded
template is test-rendered with `sample_context()` before it is accepted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    meaning: str
    example: object


@dataclass(frozen=True)
class Term:
    """A top-level name of the context: a value (`today`), an object with fields (`campaign`),
    or a list of objects (`areas`) that templates loop over with the variable `loop`."""

    name: str
    meaning: str
    fields: tuple[Field, ...] = ()
    loop: str = ""
    example: object = None


def _fields(*rows: tuple[str, str, object]) -> tuple[Field, ...]:
    return tuple(Field(*row) for row in rows)


PROGRESS_FIELDS = (
    ("total", "任务项数", 12),
    ("approved", "已通过", 9),
    ("submitted", "已提交待审核", 1),
    ("returned", "已退回", 1),
    ("in_progress", "进行中", 1),
    ("not_started", "未开始", 0),
    ("overdue", "逾期未通过", 1),
    ("completion", "完成率（整数百分比；没有任务项时为空）", 75),
    ("completion_text", "完成率文字，如 75%（没有任务项时为 —）", "75%"),
)
SCORE_FIELDS = (
    ("max_points", "满分（按权重计分时为权重）", 20),
    ("self_score", "自评得分", 18.5),
    ("review_score", "审核评分", 17),
    ("estimate", "预估得分（审核评分，未审核的取自评）", 17.5),
    ("indicators", "计分指标数", 4),
    ("scored", "已评分指标数（预估）", 4),
)

SELF_ITEM_FIELDS = (
    ("code", "指标编号", "1.1.1"),
    ("title", "指标名称", "行政复议案件依法办理"),
    ("area", "所属一级指标", "依法全面履行政府职能"),
    ("unit", "牵头单位", "某区司法局"),
    ("points", "分值（不计分时为空）", 4),
    ("self_score", "自评得分（尚未自评时为空）", 3.5),
    (
        "score_text",
        "得分文字：自评得分和分值，或“尚未自评”“计入上级指标……的自评得分”",
        "自评得分 3.5 分，分值 4 分",
    ),
    ("explained", "是否已填写自评说明（真/假）", True),
    (
        "explanation",
        "自评说明全文（未填写时为“（尚未填写自评说明）”）",
        "2025年，区司法局共办理行政复议案件56件，按期办结率100%。",
    ),
    (
        "paragraphs",
        "自评说明的各段（列表，逐段写入报告：{%p for line in i.paragraphs %}）",
        ["2025年，区司法局共办理行政复议案件56件，按期办结率100%。"],
    ),
    ("materials", "佐证材料份数", 5),
)
SELF_ITEM_SAMPLE = [{name: example for name, _, example in SELF_ITEM_FIELDS}] * 2

VOCABULARY: tuple[Term, ...] = (
    Term(
        "campaign",
        "创建活动",
        _fields(
            ("name", "名称", "某区创建全国法治政府建设示范区"),
            ("region", "创建地区", "某区"),
            ("level", "创建级别", "全国法治政府建设示范"),
            ("period_start", "评估期起", "2023年1月1日"),
            ("period_end", "评估期止", "2025年12月31日"),
            ("period", "评估期", "2023年1月1日至2025年12月31日"),
            ("framework", "指标体系（名称和版本）", "《市县法治政府建设示范指标体系》（2025）"),
            ("framework_name", "指标体系名称", "市县法治政府建设示范指标体系"),
            ("framework_edition", "指标体系版本", "2025"),
            ("aggregation", "计分方式：分值相加或按权重百分比", "分值相加"),
            ("weighted", "是否按权重计分（真/假）", False),
        ),
    ),
    Term("today", "生成日期，如 2026年3月1日", example="2026年3月1日"),
    Term(
        "summary",
        "全部任务项的汇总",
        _fields(
            *PROGRESS_FIELDS,
            ("materials", "佐证材料份数", 30),
            ("areas", "一级指标数", 2),
            ("lead_units", "牵头单位数", 3),
            ("explained", "已填写自评说明的指标数", 10),
        ),
    ),
    Term(
        "areas",
        "各一级指标的完成情况和得分（列表）",
        _fields(
            ("code", "编号", "1"),
            ("title", "名称", "依法全面履行政府职能"),
            *PROGRESS_FIELDS,
            ("materials", "佐证材料份数", 15),
            *SCORE_FIELDS,
            ("ordinal", "中文序号，用于（一）（二）式标题", "一"),
            (
                "self_items",
                "分项自评：本一级指标下各指标的自评得分和自评说明（列表，字段同 self_items）",
                SELF_ITEM_SAMPLE,
            ),
        ),
        loop="a",
    ),
    Term(
        "scores",
        "得分合计（与评分表的合计一致）",
        _fields(
            *SCORE_FIELDS,
            ("vetoed", "是否有指标触发否决项（真/假）", False),
            ("max_label", "满分一栏的名称：满分或权重", "满分"),
        ),
    ),
    Term(
        "units",
        "各牵头单位的完成情况，完成率低的在前（列表）",
        _fields(
            ("name", "单位全称", "某区司法局"),
            ("short_name", "单位简称", "区司法局"),
            ("total", "牵头任务项数", 6),
            ("approved", "已通过", 5),
            ("overdue", "逾期未通过", 1),
            ("completion", "完成率（整数百分比）", 83),
            ("completion_text", "完成率文字", "83%"),
        ),
        loop="u",
    ),
    Term(
        "highlights",
        "主要亮点（列表）",
        _fields(
            ("text", "一句话", "依法全面履行政府职能：12 项任务全部通过审核。"),
            ("area", "所属一级指标（没有时为空）", "依法全面履行政府职能"),
        ),
        loop="h",
    ),
    Term(
        "shortcomings",
        "存在的不足（列表）",
        _fields(
            (
                "text",
                "一句话",
                "1.1.1 行政复议案件依法办理：审核评分扣 2 分，扣分原因：缺少年度报告。",
            ),
            ("kind", "类别：进度偏慢、逾期、扣分、否决、多次退回", "扣分"),
            ("area", "所属一级指标", "依法全面履行政府职能"),
            ("unit", "牵头单位", "某区司法局"),
        ),
        loop="s",
    ),
    Term(
        "next_steps",
        "下一步工作：每条不足一条，写明责任单位和完成时限（列表）",
        _fields(
            ("text", "一句话，写明单位和完成时限", "某区司法局：2026年3月31日前补充完善材料。"),
            ("unit", "责任单位", "某区司法局"),
            ("deadline", "完成时限", "2026年3月31日"),
        ),
        loop="n",
    ),
    Term(
        "deductions",
        "扣分明细：每个指标取预估得分所用一方（审核评分，未审核的取自评）的扣分（列表）",
        _fields(
            ("code", "指标编号", "1.1.1"),
            ("title", "指标名称", "行政复议案件依法办理"),
            ("area", "所属一级指标", "依法全面履行政府职能"),
            ("side", "评分方：自评或审核评分", "审核评分"),
            ("rule", "扣分依据", "评分标准第2条"),
            ("reason", "扣分原因", "缺少年度报告"),
            ("points", "扣分", 2),
            ("unit", "牵头单位", "某区司法局"),
        ),
        loop="d",
    ),
    Term(
        "overdue",
        "逾期未通过的任务项，逾期久的在前（列表）",
        _fields(
            ("code", "编号", "1.1.2"),
            ("title", "名称", "行政执法公示制度全面推行"),
            ("area", "所属一级指标", "依法全面履行政府职能"),
            ("unit", "牵头单位", "某区市场监督管理局"),
            ("deadline", "完成时限", "2025年6月30日"),
            ("days", "逾期天数", 30),
        ),
        loop="o",
    ),
    Term(
        "returned_repeatedly",
        "审核中被退回两次及以上的任务项（列表）",
        _fields(
            ("code", "编号", "2.1.3"),
            ("title", "名称", "规范性文件合法性审查"),
            ("area", "所属一级指标", "健全依法行政制度体系"),
            ("unit", "牵头单位", "某区司法局"),
            ("times", "退回次数", 2),
            ("reason", "最近一次退回原因", "缺少审查意见书"),
        ),
        loop="r",
    ),
)


VOCABULARY += (
    Term(
        "self_items",
        "分项自评：全部指标的自评得分和自评说明，按指标顺序（列表）",
        _fields(*SELF_ITEM_FIELDS),
        loop="i",
    ),
    Term(
        "highlight_items",
        "牵头科室选定的亮点指标，按选定顺序（列表，字段同 self_items）",
        _fields(*SELF_ITEM_FIELDS),
        loop="h",
    ),
    Term(
        "highlights_text",
        "牵头科室填写的工作亮点概述（全文，未填写时为空）",
        example="创建工作坚持高位推动，区委区政府主要负责同志亲自部署。",
    ),
    Term(
        "highlights_paragraphs",
        "工作亮点概述的各段（列表，每项为一段文字）",
        example=["创建工作坚持高位推动，区委区政府主要负责同志亲自部署。"],
    ),
    Term(
        "shortfalls_text",
        "牵头科室填写的存在的不足（全文，未填写时为空；可改用平台列出的 shortcomings）",
        example="基层行政执法人员法治培训覆盖面还不够广。",
    ),
    Term(
        "shortfalls_paragraphs",
        "存在的不足的各段（列表，每项为一段文字）",
        example=["基层行政执法人员法治培训覆盖面还不够广。"],
    ),
    Term(
        "next_steps_text",
        "牵头科室填写的下一步工作打算（全文，未填写时为空；可改用平台列出的 next_steps）",
        example="2026年6月底前完成全区执法人员轮训。",
    ),
    Term(
        "next_steps_paragraphs",
        "下一步工作打算的各段（列表，每项为一段文字）",
        example=["2026年6月底前完成全区执法人员轮训。"],
    ),
)


def sample_context() -> dict:
    """A context with every name of the vocabulary and two entries in every list: what an
    uploaded template is test-rendered with."""
    context = {}
    for term in VOCABULARY:
        if term.loop:
            context[term.name] = [_sample_entry(term) for _ in range(2)]
        elif term.fields:
            context[term.name] = _sample_entry(term)
        else:
            context[term.name] = term.example
    return context


def _sample_entry(term: Term) -> dict:
    return {field.name: field.example for field in term.fields}
