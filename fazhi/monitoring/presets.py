"""The seven metrics every region starts with (the rates the seeds report); a province edits
its own copy (`services.metric_save`), the presets stay as they are."""

from decimal import Decimal

from fazhi.monitoring.models import Metric

PRESETS = [
    {
        "code": "court_appearance",
        "name": "行政机关负责人出庭应诉率",
        "numerator": "行政机关负责人出庭应诉的开庭审理案件数",
        "denominator": "人民法院开庭审理的行政诉讼案件数",
        "source": "人民法院开庭通知、出庭记录",
        "scope_text": "本地区各级行政机关作为被告的行政诉讼案件",
        "reporter": "各行政机关（司法局汇总）",
        "direction": "higher",
        "target": Decimal(100),
        "points": Decimal(15),
    },
    {
        "code": "reconsideration_compliance",
        "name": "行政复议决定履行率",
        "numerator": "按期履行的行政复议决定数",
        "denominator": "应当履行的行政复议决定数",
        "source": "行政复议机构履行情况台账",
        "scope_text": "本地区行政复议机关作出的、被申请人应当履行的复议决定",
        "reporter": "司法局（行政复议机构）",
        "direction": "higher",
        "target": Decimal(100),
        "points": Decimal(15),
    },
    {
        "code": "reconsideration_correction",
        "name": "行政复议纠错率",
        "numerator": "撤销、变更、确认违法、责令履行的行政复议案件数",
        "denominator": "审结的行政复议案件数",
        "source": "行政复议案件统计",
        "scope_text": "本地区行政复议机关审结的案件",
        "reporter": "司法局（行政复议机构）",
        "direction": "lower",
        "target": Decimal(15),
        "points": Decimal(10),
        "deduct_per_point": Decimal("0.5"),
    },
    {
        "code": "litigation_loss",
        "name": "行政诉讼败诉率",
        "numerator": "行政机关败诉的一审行政诉讼案件数",
        "denominator": "审结的一审行政诉讼案件数",
        "source": "人民法院裁判文书",
        "scope_text": "本地区各级行政机关作为被告的一审行政诉讼案件",
        "reporter": "各行政机关（司法局汇总）",
        "direction": "lower",
        "target": Decimal(10),
        "points": Decimal(15),
        "deduct_per_point": Decimal("0.5"),
    },
    {
        "code": "normative_filing",
        "name": "规范性文件备案审查率",
        "numerator": "按规定报送备案并经审查的规范性文件件数",
        "denominator": "应当报送备案的规范性文件件数",
        "source": "规范性文件备案审查登记",
        "scope_text": "本地区政府及其部门制定的行政规范性文件",
        "reporter": "制定机关（司法局备案审查）",
        "direction": "higher",
        "target": Decimal(100),
        "points": Decimal(15),
    },
    {
        "code": "legality_review",
        "name": "重大行政决策合法性审查率",
        "numerator": "经合法性审查的重大行政决策事项数",
        "denominator": "作出的重大行政决策事项数",
        "source": "重大行政决策事项目录及合法性审查意见",
        "scope_text": "列入本地区重大行政决策事项目录的事项",
        "reporter": "决策机关（司法局汇总）",
        "direction": "higher",
        "target": Decimal(100),
        "points": Decimal(15),
    },
    {
        "code": "disclosure_on_time",
        "name": "依申请公开按时答复率",
        "numerator": "在法定期限内答复的政府信息公开申请数",
        "denominator": "办结的政府信息公开申请数",
        "source": "政府信息公开工作年度报告、申请登记台账",
        "scope_text": "本地区各行政机关收到的依申请公开",
        "reporter": "各行政机关（政务公开办汇总）",
        "direction": "higher",
        "target": Decimal(100),
        "points": Decimal(15),
    },
]

PRESET_CODES = tuple(preset["code"] for preset in PRESETS)


def ensure_presets() -> int:
    """Create the presets that are missing (none is ever overwritten); how many were made."""
    made = 0
    for position, preset in enumerate(PRESETS, start=1):
        _, created = Metric.objects.get_or_create(
            region=None,
            code=preset["code"],
            defaults={**preset, "position": position, "period_kind": "quarter"},
        )
        made += created
    return made
