from django import forms

from fazhi.accounts.models import User
from fazhi.casereviews.models import CaseType
from fazhi.casereviews.selectors import standard_list
from fazhi.orgs.models import Unit
from fazhi.orgs.selectors import regions_overseen

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Text boxes with a number keypad: styled as the other boxes, the service reads the number.
NUMBER = forms.TextInput(attrs={"inputmode": "numeric"})
TABLE_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".csv")


class ReviewForm(forms.Form):
    name = forms.CharField(
        label="评查名称", max_length=200, help_text="例如：2025年度行政处罚案卷评查"
    )
    region = forms.ModelChoiceField(label="组织评查的地区", queryset=None, empty_label=None)
    standards = forms.ModelMultipleChoiceField(
        label="评查标准",
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="每种案件类型选一个",
    )
    closed_from = forms.DateField(label="结案日期自", widget=DATE)
    closed_to = forms.DateField(label="结案日期至", widget=DATE)
    units = forms.ModelMultipleChoiceField(
        label="被评查单位",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="不选则为本地区全部单位",
    )
    reviewers = forms.ModelMultipleChoiceField(
        label="评查人员",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="交叉评查：不会把案卷分给本单位的评查人员",
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_overseen(user=acting_user)
        self.fields["region"].initial = acting_user.region_id
        self.fields["standards"].queryset = standard_list(user=acting_user)
        self.fields["units"].queryset = Unit.objects.visible_to(acting_user).filter(is_active=True)
        self.fields["reviewers"].queryset = (
            User.objects.visible_to(acting_user).filter(is_active=True).order_by("username")
        )


class CaseListForm(forms.Form):
    file = forms.FileField(
        label="案件清单",
        help_text="Excel（.xlsx、.xls）或 CSV：案件编号、案件名称/案由、类型、执法单位、承办人、结案日期。",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(TABLE_EXTENSIONS):
            raise forms.ValidationError("请上传 Excel（.xlsx、.xls）或 CSV 格式的案件清单。")
        return file


class StandardUploadForm(forms.Form):
    name = forms.CharField(label="标准名称", max_length=200, help_text="同名标准导入为新版本")
    case_type = forms.ChoiceField(label="案件类型", choices=CaseType.choices)
    region = forms.ModelChoiceField(label="制定地区", queryset=None, empty_label=None)
    file = forms.FileField(
        label="评查标准",
        help_text="Excel（.xlsx、.xls）、CSV 或本系统导出的 JSON；合并单元格、标题行、否决项列均可识别。",
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_overseen(user=acting_user)
        self.fields["region"].initial = acting_user.region_id

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((*TABLE_EXTENSIONS, ".json")):
            raise forms.ValidationError("请上传 Excel（.xlsx、.xls）、CSV 或 JSON 格式的评查标准。")
        return file


class SampleForm(forms.Form):
    per_unit = forms.IntegerField(
        label="每单位每类抽取件数", min_value=1, required=False, widget=NUMBER
    )
    share = forms.CharField(label="或抽取比例", max_length=10, required=False, help_text="如 10%")
    seed = forms.IntegerField(
        label="随机种子",
        min_value=0,
        required=False,
        help_text="留空则随机生成并记录",
        widget=NUMBER,
    )


class ScanForm(forms.Form):
    file = forms.FileField(label="扫描件")


class NoteForm(forms.Form):
    page = forms.IntegerField(label="页码", min_value=1, widget=NUMBER)
    text = forms.CharField(label="批注", widget=forms.Textarea(attrs={"rows": 2}))
