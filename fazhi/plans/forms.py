"""Forms of the work plan pages."""

from django import forms
from django.utils import timezone

from fazhi.core.scoping import can_write_at
from fazhi.orgs.models import Region, RegionLevel
from fazhi.plans.models import Plan

PLAN_EXTENSIONS = (".docx", ".doc", ".wps", ".xlsx", ".xls", ".csv")


def plan_regions(user):
    """The regions the user may import a plan for (a town's plan is its county's business)."""
    regions = Region.objects.visible_to(user).exclude(level=RegionLevel.TOWN).order_by("path")
    return [region for region in regions if can_write_at(user, Plan, region=region)]


class PlanUploadForm(forms.Form):
    region = forms.TypedChoiceField(label="地区", coerce=int)
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "min_value": "年度应在 2000 到 2100 之间。",
            "max_value": "年度应在 2000 到 2100 之间。",
        },
    )
    name = forms.CharField(
        label="计划名称",
        max_length=200,
        required=False,
        help_text="可不填，默认取文件的标题（如“××市2025年法治政府建设工作要点”）。",
    )
    file = forms.FileField(
        label="工作计划文件",
        help_text="Word（.docx/.doc/.wps）或表格（.xlsx/.xls/.csv）。领域以“一、”开头，措施以“（一）”“1.”或“1、”开头；"
        "表格需有“工作任务”列和“牵头单位”“责任单位”“完成时限”中的至少一列。",
        error_messages={
            "required": "请选择要导入的文件。",
            "empty": "上传的文件是空的（0 字节），请检查是否选错了文件。",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {region.pk: region for region in plan_regions(user)}
        self.fields["region"].choices = [(pk, region.name) for pk, region in self.regions.items()]
        if user.region_id in self.regions:
            self.fields["region"].initial = user.region_id
        self.fields["year"].initial = timezone.localdate().year

    def clean_region(self):
        return self.regions[self.cleaned_data["region"]]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(PLAN_EXTENSIONS):
            raise forms.ValidationError(
                f"不支持的文件类型：{upload.name}。请上传 Word（.docx/.doc/.wps）或表格（.xlsx/.xls/.csv）。"
            )
        return upload


class DateInput(forms.DateInput):
    input_type = "date"


class AdvanceForm(forms.Form):
    """What moving the plan to its next step records; the view shows the fields of that step."""

    consultation_until = forms.DateField(label="征求意见截止日期", required=False, widget=DateInput)
    adopted_meeting = forms.CharField(
        label="审议会议", max_length=200, required=False, help_text="如“区政府第12次常务会议”。"
    )
    adopted_on = forms.DateField(label="审议通过日期", required=False, widget=DateInput)
    doc_number = forms.CharField(label="文号", max_length=100, required=False)
    issued_on = forms.DateField(label="印发日期", required=False, widget=DateInput)

    STEP_FIELDS = {
        "consulting": ["consultation_until"],
        "legal_review": [],
        "adopted": ["adopted_meeting", "adopted_on"],
        "issued": ["doc_number", "issued_on"],
    }

    def __init__(self, *args, step: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = self.STEP_FIELDS.get(step or "", [])
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]


class LegalReviewForm(forms.Form):
    reviewer = forms.CharField(
        label="审查机构（人员）",
        max_length=100,
        help_text="如“区司法局合法性审查科”或法律顾问姓名。",
    )
    opinion = forms.CharField(label="审查意见", widget=forms.Textarea(attrs={"rows": 4}))
    reviewed_on = forms.DateField(label="审查日期", widget=DateInput)


class CommentForm(forms.Form):
    text = forms.CharField(
        label="意见",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写意见内容。"},
    )
    unit = forms.TypedChoiceField(label="提出单位", coerce=int, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:  # a liaison comments for its own unit
            del self.fields["unit"]
        else:
            self.units = {unit.pk: unit for unit in units}
            self.fields["unit"].choices = [("", "（请选择）")] + [
                (pk, unit.name) for pk, unit in self.units.items()
            ]

    def clean_unit(self):
        value = self.cleaned_data.get("unit")
        return self.units.get(value) if value else None


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="采纳情况",
        choices=[("adopted", "采纳"), ("partly", "部分采纳"), ("rejected", "不采纳")],
    )
    reason = forms.CharField(label="理由", max_length=2000, required=False)


class MeasureForm(forms.Form):
    title = forms.CharField(label="工作任务", widget=forms.Textarea(attrs={"rows": 2}))
    detail = forms.CharField(
        label="具体内容", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline_text = forms.CharField(
        label="完成时限",
        max_length=100,
        required=False,
        help_text="如“2025年6月底前”“年底前”；“每季度”“持续推进”不设具体日期。",
    )
    lead = forms.TypedChoiceField(label="牵头单位", coerce=int, required=False)
    responsible = forms.TypedMultipleChoiceField(label="责任单位", coerce=int, required=False)
    keep_unresolved = forms.BooleanField(
        label="保留尚未对应到单位的原文名称", required=False, initial=True
    )
    reason = forms.CharField(
        label="调整理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="计划已印发时必填，记入调整记录。",
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        choices = [(pk, unit.name) for pk, unit in self.units.items()]
        self.fields["lead"].choices = [("", "（无）")] + choices
        self.fields["responsible"].choices = choices
        self.fields["responsible"].widget.attrs["size"] = min(10, max(4, len(choices)))

    def clean_lead(self):
        value = self.cleaned_data.get("lead")
        return self.units.get(value) if value else None

    def clean_responsible(self):
        return [self.units[pk] for pk in self.cleaned_data.get("responsible") or []]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    period = forms.TypedChoiceField(label="报告期", coerce=int)
    unit = forms.TypedChoiceField(label="报送单位", coerce=int, required=False)
    text = forms.CharField(
        label="进展情况",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写进展情况。"},
    )
    figures = forms.CharField(
        label="主要数据",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如“清理规范性文件 36 件，废止 4 件”。",
    )
    files = MultipleFileField(label="佐证材料", required=False, help_text="可一次选择多个文件。")

    def __init__(self, *args, periods, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {period.pk: period for period in periods}
        self.fields["period"].choices = [(pk, p.label) for pk, p in self.periods.items()]
        if periods:
            self.fields["period"].initial = periods[-1].pk
        if units is None:  # a liaison reports for its own unit
            del self.fields["unit"]
        else:
            self.units = {unit.pk: unit for unit in units}
            self.fields["unit"].choices = [(pk, unit.name) for pk, unit in self.units.items()]

    def clean_period(self):
        return self.periods[self.cleaned_data["period"]]

    def clean_unit(self):
        value = self.cleaned_data.get("unit")
        return self.units.get(value) if value else None


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="完成状态",
        choices=[
            ("in_progress", "推进中"),
            ("completed", "已完成"),
            ("behind", "滞后"),
            ("not_started", "未开始"),
        ],
    )
    note = forms.CharField(label="说明", max_length=1000, required=False)


class MilestonesForm(forms.Form):
    """One target per report period of the plan (一季度 … 四季度, or 1月 … 12月)."""

    def __init__(self, *args, periods_with_targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {}
        for period, milestones in periods_with_targets:
            name = f"period_{period.pk}"
            self.periods[name] = period
            self.fields[name] = forms.CharField(
                label=f"{period.label}（{period.ends_on.month}月{period.ends_on.day}日前）",
                required=False,
                max_length=500,
                initial="；".join(m.target for m in milestones),
                widget=forms.TextInput(attrs={"placeholder": "如：完成调研，形成初稿"}),
            )

    def targets(self) -> dict:
        return {period: self.cleaned_data[name] for name, period in self.periods.items()}
