from django import forms

from fazhi.exams.models import ExamMode, QuestionBank

BANK_EXTENSIONS = (".xlsx", ".xls", ".csv", ".docx", ".doc", ".wps")
TABLE_EXTENSIONS = (".xlsx", ".xls", ".csv")


class BankUploadForm(forms.Form):
    name = forms.CharField(label="题库名称", max_length=100, help_text="已有同名题库时追加试题。")
    file = forms.FileField(
        label="题库文件",
        help_text="Excel（选项分列或同一单元格）或 Word（“一、单选题”“1.”编号、“答案：B”）。",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(BANK_EXTENSIONS):
            raise forms.ValidationError(
                "请上传 Excel（.xlsx、.xls、.csv）或 Word（.docx、.doc、.wps）格式的题库。"
            )
        return file


class ExamForm(forms.Form):
    name = forms.CharField(label="测试名称", max_length=200)
    bank = forms.ModelChoiceField(label="题库", queryset=QuestionBank.objects.none())
    mode = forms.ChoiceField(label="方式", choices=ExamMode.choices, initial=ExamMode.EXAM)
    blueprint = forms.CharField(
        label="组卷规则（所有人员）",
        initial="single:20,multiple:10,judge:10",
        help_text="题型:数量，逗号分隔；可限定分类和难度，如 single/行政处罚法/hard:5。",
    )
    blueprint_leader = forms.CharField(label="组卷规则（领导干部，可不填）", required=False)
    blueprint_civil = forms.CharField(label="组卷规则（公务员，可不填）", required=False)
    blueprint_enforcer = forms.CharField(label="组卷规则（行政执法人员，可不填）", required=False)
    points_single = forms.DecimalField(
        label="单选每题分值", initial=2, min_value=0, max_digits=5, decimal_places=2
    )
    points_multiple = forms.DecimalField(
        label="多选每题分值", initial=3, min_value=0, max_digits=5, decimal_places=2
    )
    points_judge = forms.DecimalField(
        label="判断每题分值", initial=1, min_value=0, max_digits=5, decimal_places=2
    )
    points_blank = forms.DecimalField(
        label="填空每题分值", initial=2, min_value=0, max_digits=5, decimal_places=2
    )
    points_essay = forms.DecimalField(
        label="简答每题分值", initial=10, min_value=0, max_digits=5, decimal_places=2
    )
    duration_minutes = forms.IntegerField(
        label="考试时长（分钟）", initial=60, min_value=1, max_value=600
    )
    pass_mark = forms.DecimalField(
        label="及格分", initial=60, min_value=0, max_digits=6, decimal_places=2
    )
    opens_at = forms.DateTimeField(
        label="开考时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label="截止时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    attempts_allowed = forms.IntegerField(
        label="允许作答次数", initial=1, min_value=1, max_value=20
    )
    fixed_paper = forms.BooleanField(label="统一试卷（所有人题目和选项顺序相同）", required=False)
    partial_credit = forms.BooleanField(
        label="多选题少选按比例得分（默认全对才得分）", required=False
    )
    seed = forms.CharField(
        label="随机种子（可不填，自动生成并记录）", max_length=40, required=False
    )

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if banks is not None:
            self.fields["bank"].queryset = banks

    def blueprints(self) -> dict[str, str]:
        data = self.cleaned_data
        found = {"": data["blueprint"]}
        for role in ("leader", "civil", "enforcer"):
            if data.get(f"blueprint_{role}"):
                found[role] = data[f"blueprint_{role}"]
        return found

    def points(self) -> dict:
        return {
            k: self.cleaned_data[f"points_{k}"]
            for k in ("single", "multiple", "judge", "blank", "essay")
        }


class RosterForm(forms.Form):
    file = forms.FileField(
        label="人员名单", help_text="Excel：姓名、单位、人员类别、手机或身份证后四位。"
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(TABLE_EXTENSIONS):
            raise forms.ValidationError("请上传 Excel（.xlsx、.xls）或 CSV 格式的人员名单。")
        return file


class DrawForm(forms.Form):
    count = forms.IntegerField(
        label="每个单位每类人员抽取人数", required=False, min_value=1, max_value=10000
    )
    percent = forms.IntegerField(
        label="或抽取比例（%）", required=False, min_value=1, max_value=100
    )
    seed = forms.CharField(label="随机种子（可不填）", max_length=40, required=False)

    def clean(self):
        data = super().clean()
        if (data.get("count") is None) == (data.get("percent") is None):
            raise forms.ValidationError("请填写每组抽取人数或抽取比例（二选一）。")
        return data
