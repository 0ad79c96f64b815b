"""The demo's case-file review (行政执法案卷评查), shaped like 枣庄's (seed 002: the city reviews
enforcement files each year against one standard): the city's 行政处罚 standard (three veto
items, 卷面 20 and 内容 80 points), a review of four units' files closed in the last ten months,
two files per unit drawn with a recorded seed, given to reviewers outside each file's unit, and
most of them scored — one vetoed and waiting for its 复核. Dates are counted from the day the
demo is loaded; loading again on the same day writes nothing."""

from __future__ import annotations

from fazhi.accounts.models import User
from fazhi.casereviews import services, standards
from fazhi.casereviews.models import CaseReview, SheetRound, Standard
from fazhi.core.demo import Calendar, happening_at
from fazhi.orgs.models import Region, Unit

NAME = "2025年度全市行政处罚案卷评查（演示）"
STANDARD = "枣庄市行政处罚案卷评查标准（演示）"
CITY = "370400"
LEAD = "zz_admin"
REVIEWERS = ("szq_reviewer", "xc_sfj_liaison", "zz_inspector")
SEED = 2025


def _item(code, title, points, rule, veto=False, text=""):
    return {
        "code": code,
        "title": title,
        "points": points,
        "rule": rule,
        "veto": veto,
        "text": text,
    }


def standard_sections() -> dict:
    whole = {"kind": "whole"}
    return {
        "sections": [
            {
                "title": "否决项",
                "points": 0,
                "items": [
                    _item("F1", "执法主体不合法或超越职权", 0, whole, True),
                    _item("F2", "执法人员不具备执法资格或少于两人", 0, whole, True),
                    _item("F3", "主要事实不清、证据不足", 0, whole, True),
                ],
            },
            {
                "title": "卷面评查",
                "points": 20,
                "items": [
                    _item(
                        "1",
                        "案卷封面、目录、备考表填写完整规范",
                        5,
                        {"kind": "per_occurrence", "per": 1, "cap": 5},
                        text="每处扣1分，扣完为止",
                    ),
                    _item("2", "卷内文书按顺序装订、页码连续", 5, whole, text="扣除该项全部分值"),
                    _item(
                        "3",
                        "文书使用规范、加盖印章齐全",
                        10,
                        {"kind": "per_occurrence", "per": 2, "cap": 10},
                        text="每处扣2分",
                    ),
                ],
            },
            {
                "title": "案卷内容",
                "points": 80,
                "items": [
                    _item(
                        "4",
                        "立案审批及时，案件来源清楚",
                        10,
                        {"kind": "fixed", "per": 5},
                        text="扣5分",
                    ),
                    _item(
                        "5",
                        "调查取证合法、全面，证据之间能相互印证",
                        25,
                        {"kind": "range", "min": 5, "max": 15},
                        text="扣5–15分",
                    ),
                    _item(
                        "6",
                        "告知、陈述申辩、听证等程序完整",
                        20,
                        {"kind": "per_occurrence", "per": 4, "cap": 12},
                        text="每处扣4分，最多扣12分",
                    ),
                    _item(
                        "7",
                        "适用法律依据准确，裁量适当并说明理由",
                        15,
                        {"kind": "range", "min": 3, "max": 10},
                        text="扣3–10分",
                    ),
                    _item(
                        "8",
                        "法制审核意见完整，送达、执行、结案手续齐全",
                        10,
                        {"kind": "per_occurrence", "per": 2, "cap": 10},
                        text="每处扣2分",
                    ),
                ],
            },
        ]
    }


# (unit code, short name, handlers, the case titles)
UNITS = [
    ("370402-scjgj", "市中区市场监管局", "赵文博", ["销售过期食品案", "无照经营案", "虚假宣传案"]),
    ("370402-cgj", "市中区城管局", "孙强", ["占道经营案", "违法建设案", "乱堆乱放案"]),
    ("370403-scjgj", "薛城区市场监管局", "周敏", ["价格违法案", "未明码标价案", "商标侵权案"]),
    (
        "370402-zjj",
        "市中区住建局",
        "钱进",
        ["未取得施工许可擅自施工案", "违规转包案", "扬尘治理不到位案"],
    ),
]
# Sheets of the drawn files, in file order: (deductions, vetoes); None: not yet scored.
SHEETS = [
    (
        [
            {"item": "1", "count": 2, "reason": "备考表未填写", "page": 1},
            {"item": "5", "points": 8, "reason": "现场检查笔录无当事人签字", "page": 12},
        ],
        [],
    ),
    ([{"item": "3", "count": 1, "reason": "询问笔录未加盖印章", "page": 7}], []),
    (
        [
            {"item": "6", "count": 2, "reason": "未告知陈述申辩权利", "page": 18},
            {"item": "8", "count": 1, "reason": "缺少法制审核意见", "page": 25},
        ],
        [],
    ),
    ([], ["F2"]),
    ([{"item": "7", "points": 5, "reason": "裁量理由未说明", "page": 21}], []),
    (
        [
            {"item": "1", "count": 1, "reason": "目录页码有误", "page": 2},
            {"item": "8", "count": 1, "reason": "缺少法制审核意见", "page": 30},
        ],
        [],
    ),
    None,
    None,
]


def load_demo_casereview(cal: Calendar) -> CaseReview:
    city = Region.objects.get(code=CITY)
    told = CaseReview.objects.filter(region=city, name=NAME).first()
    if told is not None and told.closed_to == cal.day(-30):
        return told  # told today already
    CaseReview.objects.filter(region=city, name=NAME).delete()
    Standard.objects.filter(region=city, name=STANDARD).delete()
    lead = User.objects.get(username=LEAD)
    reviewers = list(User.objects.filter(username__in=REVIEWERS))
    units = {u.code: u for u in Unit.objects.filter(code__in=[row[0] for row in UNITS])}
    with happening_at(cal.moment(-20)):
        reading = standards.reading_from_json(standard_sections()).as_json()
        standard = standards.standard_create(
            acting_user=lead, region=city, name=STANDARD, case_type="penalty", reading=reading
        )
        review = services.review_create(
            acting_user=lead,
            region=city,
            name=NAME,
            standards=[standard],
            closed_from=cal.day(-300),
            closed_to=cal.day(-30),
            units=list(units.values()),
            reviewers=reviewers,
        )
        services.cases_import(
            acting_user=lead,
            review=review,
            checked=_case_rows(units, cal),
            source_name="案件清单.xlsx",
        )
        services.sample_draw(acting_user=lead, review=review, per_unit=2, seed=SEED)
        services.assign_evenly(acting_user=lead, review=review)
    drawn = list(
        review.cases.filter(sampled=True).select_related("unit", "review").order_by("number")
    )
    with happening_at(cal.moment(-10)):
        for case, sheet in zip(drawn, SHEETS, strict=True):
            if sheet is None:
                continue
            reviewer = case.sheets.get(round=SheetRound.FIRST).reviewer
            services.sheet_score(
                acting_user=reviewer, case=case, deductions=sheet[0], vetoes=sheet[1]
            )
    return review


def _case_rows(units: dict, cal: Calendar) -> dict:
    rows = []
    for u_index, (code, short, handler, titles) in enumerate(UNITS):
        for n, title in enumerate(titles, start=1):
            rows.append(
                {
                    "row": len(rows) + 2,
                    "number": f"{short}罚〔2025〕{n:03d}号",
                    "title": title,
                    "case_type": "penalty",
                    "unit_id": units[code].pk,
                    "unit": units[code].name,
                    "handler": handler,
                    "closed_on": cal.day(-280 + 60 * n + 7 * u_index).isoformat(),
                }
            )
    return {"rows": rows, "skipped": [], "problems": []}
