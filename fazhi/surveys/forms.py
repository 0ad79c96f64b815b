from django import forms

from fazhi.core.scoping import Scope
from fazhi.orgs.models import Region
from fazhi.surveys.models import Outcome, Stratum

ITEMS_HELP = "每行一道题，例如：政务服务、行政执法、营商环境；留空则导入结果表时取表中的题目。"


class WaveCreateForm(forms.Form):
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.none())
    name = forms.CharField(
        label="测评名称", max_length=200, help_text="例如：2025年法治政府建设群众满意度测评"
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    per_stratum = forms.IntegerField(
        label="每个镇街目标样本数", min_value=1, max_value=100_000, initial=100
    )
    items = forms.CharField(
        label="测评题目", required=False, widget=forms.Textarea, help_text=ITEMS_HELP
    )
    starts_on = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = Scope.for_user(acting_user)
        regions = Region.objects.exclude(level="town")
        if not scope.is_everything:
            regions = regions.filter(path__startswith=scope.region_path or "-")
        self.fields["region"].queryset = regions.order_by("path")
        if acting_user.region_id:
            self.fields["region"].initial = acting_user.region_id

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="测评结果表",
        help_text="第三方机构提交的 .xlsx / .xls / .csv 表格：逐份问卷明细或各镇街汇总。",
    )


class AliasForm(forms.Form):
    word = forms.CharField(label="表中的答案", max_length=40)
    label = forms.ChoiceField(label="对应选项")

    def __init__(self, *args, wave, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [(c["label"], c["label"]) for c in wave.scale]


class CallForm(forms.Form):
    stratum = forms.ModelChoiceField(label="样本单元", queryset=Stratum.objects.none())
    sample_number = forms.CharField(label="样本号", max_length=40)
    outcome = forms.ChoiceField(label="拨打结果", choices=Outcome.choices)
    interviewer = forms.CharField(label="访问员", max_length=60, required=False)

    def __init__(self, *args, wave, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stratum"].queryset = wave.strata.all()


MEASURES = [("rate", "满意率（%）"), ("score", "分值")]


class FeedForm(forms.Form):
    """Which evaluation's applicant gets the wave's result, as a rate or a score."""

    applicant = forms.ModelChoiceField(label="计入的评估", queryset=None, empty_label=None)
    measure = forms.ChoiceField(label="计入的指标", choices=MEASURES, widget=forms.RadioSelect)

    def __init__(self, *args, applicants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants
        self.fields["applicant"].label_from_instance = _applicant_label
        self.fields["measure"].initial = "rate"


def _applicant_label(applicant) -> str:
    score = applicant.survey_score
    now = f"现为 {score}" if score is not None else "尚未录入"
    return f"{applicant.evaluation} · {applicant.campaign}（满意度测评得分{now}）"


class InvitationForm(forms.Form):
    stratum = forms.ModelChoiceField(label="样本单元", queryset=None, empty_label=None)
    count = forms.IntegerField(
        label="份数",
        min_value=1,
        max_value=10_000,
        initial=100,
        help_text="每份邀请一个二维码，只能提交一次；一次最多 10000 份。",
    )

    def __init__(self, *args, wave, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stratum"].queryset = wave.strata.all()
