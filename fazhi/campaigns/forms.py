from django import forms

from fazhi.campaigns.models import Campaign, CampaignLevel, Item, StageKind
from fazhi.frameworks.models import Framework
from fazhi.orgs.selectors import regions_overseen

TASKLIST_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".csv")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    name = forms.CharField(
        label="名称", max_length=200, help_text="例如：市中区创建全国法治政府建设示范区"
    )
    level = forms.ChoiceField(label="创建级别", choices=CampaignLevel.choices)
    region = forms.ModelChoiceField(label="创建地区", queryset=None, empty_label=None)
    framework = forms.ModelChoiceField(label="指标体系", queryset=None, empty_label=None)
    period_start = forms.DateField(label="评估期起", widget=DATE)
    period_end = forms.DateField(
        label="评估期止", widget=DATE, help_text="材料的成文日期应落在评估期内。"
    )
    description = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_overseen(user=acting_user)
        self.fields["region"].initial = acting_user.region_id
        self.fields["framework"].queryset = Framework.objects.visible_to(acting_user)


class CampaignEditForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    level = forms.ChoiceField(label="创建级别", choices=CampaignLevel.choices)
    period_start = forms.DateField(label="评估期起", widget=DATE)
    period_end = forms.DateField(label="评估期止", widget=DATE)
    description = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in campaign.stages.all():
            label = stage.get_kind_display()
            self.fields[f"{stage.kind}_start"] = forms.DateField(
                label=f"{label}阶段开始", widget=DATE, required=False, initial=stage.starts_on
            )
            self.fields[f"{stage.kind}_end"] = forms.DateField(
                label=f"{label}阶段结束", widget=DATE, required=False, initial=stage.ends_on
            )

    def stage_dates(self) -> dict:
        data = self.cleaned_data
        return {
            kind: (data.get(f"{kind}_start"), data.get(f"{kind}_end"))
            for kind in StageKind.values
            if f"{kind}_start" in data
        }


class ItemForm(forms.Form):
    title = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.DecimalField(label="分值", max_digits=8, decimal_places=2, required=False)
    scoring_rules = forms.CharField(
        label="评分标准", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    required_evidence = forms.CharField(
        label="佐证材料要求", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    deadline = forms.DateField(label="完成时限", widget=DATE, required=False)

    @classmethod
    def for_item(cls, item: Item, data=None):
        initial = {name: getattr(item, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class AssignForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "请先勾选要分配的任务项。"}
    )
    lead_unit = forms.ModelChoiceField(label="牵头单位", queryset=None, required=False)
    add_units = forms.ModelMultipleChoiceField(label="增加责任单位", queryset=None, required=False)
    remove_units = forms.ModelMultipleChoiceField(label="移除单位", queryset=None, required=False)
    deadline = forms.DateField(label="完成时限", widget=DATE, required=False)

    def __init__(self, *args, items, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items
        for name in ("lead_unit", "add_units", "remove_units"):
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = lambda unit: unit.display_name

    def clean(self):
        data = super().clean()
        changes = ("lead_unit", "add_units", "remove_units", "deadline")
        if not any(data.get(name) for name in changes):
            raise forms.ValidationError(
                "请至少选择一项要修改的内容：牵头单位、责任单位或完成时限。"
            )
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class TaskListUploadForm(forms.Form):
    file = forms.FileField(
        label="任务清单表格",
        help_text="Excel（.xlsx/.xls）或 CSV。可以是本系统导出后修改的任务清单，也可以是细化分解后的清单。",
        error_messages={
            "required": "请选择要导入的文件。",
            "empty": "上传的文件是空的（0 字节），请检查是否选错了文件。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(TASKLIST_EXTENSIONS):
            raise forms.ValidationError(
                f"不支持的文件类型：{upload.name}。请上传 Excel（.xlsx/.xls）或 CSV 文件。"
            )
        return upload


class MaterialTargetForm(forms.Form):
    """Which task item of a campaign files another app's result as a material."""

    item = forms.ModelChoiceField(label="归入的指标", queryset=None, empty_label=None)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.code} {item.title[:60]}（{item.campaign}）"
        )
