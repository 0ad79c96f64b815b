from django import forms

from fazhi.monitoring.models import Direction, Metric, PeriodKind
from fazhi.monitoring.periods import parse_period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})
TABLE_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".csv")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "如 2025Q2（季度）或 2025（年度）")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return parse_period(value) if value else value


class ReporterField(forms.ChoiceField):
    """The unit or region (本级) reporting: "u<id>" or "r<id>"; blank means the user's own."""


class FigureForm(forms.Form):
    reporter = ReporterField(label="报送单位", required=False)
    metric = forms.ChoiceField(label="监测指标")
    period = PeriodField(label="统计期")
    numerator = forms.IntegerField(label="分子（件数）", min_value=0, widget=COUNT)
    denominator = forms.IntegerField(label="分母（件数）", min_value=0, widget=COUNT)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label="佐证材料", required=False, help_text="统计台账、案件清单等")

    def __init__(self, *args, metrics, reporters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m.code, m.name) for m in metrics]
        self.fields["reporter"].choices = [("", "本单位（本级）")] + reporters

    def clean(self):
        data = super().clean()
        n, d = data.get("numerator"), data.get("denominator")
        if n is not None and d is not None and n > d:
            self.add_error("numerator", f"分子 {n} 不能大于分母 {d}。")
        return data


class CorrectForm(forms.Form):
    numerator = forms.IntegerField(label="分子", min_value=0, widget=COUNT)
    denominator = forms.IntegerField(label="分母", min_value=0, widget=COUNT)
    reason = forms.CharField(label="更正原因", max_length=500)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="监测数据表",
        help_text="Excel（.xlsx/.xls）或 CSV：长表（地区/单位、指标、统计期、分子、分母）"
        "或宽表（每行一个地区或单位，每个指标一对分子、分母列）",
    )
    period = PeriodField(label="统计期", required=False, help_text="不填则从表格标题或列中读取")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(TABLE_EXTENSIONS):
            raise forms.ValidationError("请上传 Excel（.xlsx、.xls）或 CSV 文件。")
        return file


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = [
            "name",
            "numerator",
            "denominator",
            "source",
            "scope_text",
            "reporter",
            "period_kind",
            "direction",
            "target",
            "points",
            "deduct_per_point",
            "is_active",
        ]
        widgets = {
            "period_kind": forms.Select(choices=PeriodKind.choices),
            "direction": forms.Select(choices=Direction.choices),
        }


class AnnualReportForm(forms.Form):
    reporter = ReporterField(label="报告单位", required=False)
    year = forms.IntegerField(label="报告年度", min_value=2000, max_value=2100)
    submitted_on = forms.DateField(label="报送日期", required=False, widget=DATE)
    secrecy_reviewed_on = forms.DateField(label="保密审查日期", required=False, widget=DATE)
    published_on = forms.DateField(label="公开日期", required=False, widget=DATE)
    published_url = forms.URLField(
        label="公开地址", required=False, max_length=500, assume_scheme="https"
    )
    note = forms.CharField(label="备注", required=False, max_length=500)

    def __init__(self, *args, reporters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].choices = [("", "本单位（本级）")] + reporters


class TemplateForm(forms.Form):
    file = forms.FileField(label="模板文件（.docx）")
