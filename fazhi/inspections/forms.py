from django import forms

from fazhi.accounts.models import User
from fazhi.inspections.models import (
    DocumentKind,
    EscalationStep,
    InspectionKind,
)
from fazhi.inspections.selectors import categories_for
from fazhi.orgs.models import Unit
from fazhi.orgs.selectors import regions_overseen

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
TABLE_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".csv")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one field (progress reports and close requests)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class InspectionForm(forms.Form):
    name = forms.CharField(label="督察名称", max_length=200, help_text="例如：2025年度法治督察")
    kind = forms.ChoiceField(label="督察类型", choices=InspectionKind.choices)
    region = forms.ModelChoiceField(label="组织督察的地区", queryset=None, empty_label=None)
    starts_on = forms.DateField(label="开始日期", widget=DATE, required=False)
    ends_on = forms.DateField(label="结束日期", widget=DATE, required=False)
    leaders = forms.ModelMultipleChoiceField(
        label="督察组组长",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="带队的领导（有账号的）",
    )
    inspectors = forms.ModelMultipleChoiceField(
        label="督察组成员",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    units = forms.ModelMultipleChoiceField(
        label="被督察单位",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(label="说明", widget=TEXT, required=False)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = regions_overseen(user=acting_user)
        self.fields["region"].queryset = regions
        self.fields["region"].initial = acting_user.region_id
        people = User.objects.visible_to(acting_user).filter(is_active=True)
        self.fields["leaders"].queryset = people.filter(
            roles__code__in=["leader", "lead_admin", "inspector"]
        ).distinct()
        self.fields["inspectors"].queryset = people.filter(
            roles__code__in=["inspector", "lead_admin"]
        ).distinct()
        self.fields["units"].queryset = Unit.objects.visible_to(acting_user).filter(is_active=True)


class FindingForm(forms.Form):
    number = forms.CharField(
        label="编号", max_length=20, required=False, help_text="留空则按顺序编号"
    )
    category = forms.ModelChoiceField(label="问题类别", queryset=None, required=False)
    description = forms.CharField(label="问题描述", widget=TEXT)
    inspected_unit = forms.ModelChoiceField(label="被督察单位", queryset=None, required=False)
    responsible_unit = forms.ModelChoiceField(label="责任单位", queryset=None)
    leader = forms.CharField(label="责任领导", max_length=100, required=False)
    person = forms.CharField(label="责任人", max_length=100, required=False)
    requirement = forms.CharField(label="整改要求", widget=TEXT, required=False)
    deadline = forms.DateField(label="整改时限", widget=DATE, required=False)
    long_term = forms.BooleanField(label="长期坚持（分阶段推进）", required=False)

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_for(inspection.region)
        units = Unit.objects.filter(region__path__startswith=inspection.region.path, is_active=True)
        self.fields["inspected_unit"].queryset = units
        self.fields["responsible_unit"].queryset = units

    def clean(self):
        data = super().clean()
        if not data.get("deadline") and not data.get("long_term"):
            self.add_error("deadline", "请填写整改时限，或勾选“长期坚持”。")
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="文书类型", choices=DocumentKind.choices)
    title = forms.CharField(label="标题", max_length=255, required=False)
    file = forms.FileField(label="文件")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="问题清单",
        help_text="Excel（.xlsx、.xls）或 CSV；合并单元格、两行表头、类别标题行均可识别。",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(TABLE_EXTENSIONS):
            raise forms.ValidationError("请上传 Excel（.xlsx、.xls）或 CSV 格式的问题清单。")
        return file


class PlanForm(forms.Form):
    measures = forms.CharField(label="整改措施", widget=TEXT)
    milestones = forms.CharField(
        label="阶段目标",
        widget=TEXT,
        required=False,
        help_text="每行一条，写明时间节点，如“2025年6月底前 建立工作机制”；逐条报告完成，长期坚持的问题按节点判断是否逾期（必填）",
    )
    person = forms.CharField(label="具体责任人", max_length=100, required=False)


class ReportForm(forms.Form):
    note = forms.CharField(label="说明", widget=TEXT)
    files = MultipleFileField(label="佐证材料", required=False)


class VerifyForm(forms.Form):
    verdict = forms.ChoiceField(
        label="审核结论", choices=[("accept", "同意销号"), ("reject", "退回整改")]
    )
    note = forms.CharField(label="审核意见", widget=TEXT, required=False)


class EscalationForm(forms.Form):
    step = forms.ChoiceField(label="督办措施", choices=EscalationStep.choices)
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="说明", widget=TEXT, required=False)


class DrawForm(forms.Form):
    count = forms.IntegerField(label="抽取数量", min_value=1, required=False)
    percent = forms.IntegerField(
        label="或抽取比例（%）", min_value=1, max_value=100, required=False
    )
    per_unit = forms.BooleanField(label="按责任单位分别抽取", required=False)
    seed = forms.IntegerField(
        label="随机种子",
        min_value=0,
        required=False,
        help_text="留空则随机生成；填写以往的种子可重现抽样",
    )
