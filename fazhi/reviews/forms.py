from django import forms

from fazhi.campaigns.forms import DATE
from fazhi.core.listing import parse_id, parse_number
from fazhi.reviews.models import RoundScope, Verdict
from fazhi.reviews.services import DeductionEntry


class RoundForm(forms.Form):
    name = forms.CharField(
        label="本轮名称", max_length=100, help_text="例如：内部审核、上级指导、第三轮筛查"
    )
    scope = forms.ChoiceField(label="审核范围", choices=RoundScope.choices, initial=RoundScope.ALL)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="截止日期", widget=DATE)


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="审核意见",
        choices=[c for c in Verdict.choices if c[0] != Verdict.PENDING],
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择审核意见：通过、退回修改或补充材料。",
            "invalid_choice": "请选择审核意见：通过、退回修改或补充材料。",
        },
    )
    comment = forms.CharField(label="意见说明", required=False, widget=forms.Textarea)
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "页面已过期，请刷新后再提交审核意见。",
            "invalid": "页面已过期，请刷新后再提交审核意见。",
        },
    )


def file_notes_from(data) -> dict[int, str]:
    """`note_<evidence id>` fields of the decision form: the reviewer's remark on each file."""
    return {
        parse_id(key[5:]): value
        for key, value in data.items()
        if key.startswith("note_") and parse_id(key[5:]) and value.strip()
    }


def deductions_from(data) -> list[DeductionEntry]:
    """The deduction rows of the score form, in the form's order (blank rows included, so that
    an error names the row the user sees)."""
    rules, reasons, points = (data.getlist(name) for name in ("rule", "reason", "points"))
    count = max(len(rules), len(reasons), len(points))

    def at(values, index):
        return values[index] if index < len(values) else ""

    return [DeductionEntry(at(rules, i), at(reasons, i), at(points, i)) for i in range(count)]


def version_from(data) -> int | None:
    return parse_number(data.get("version", ""))
