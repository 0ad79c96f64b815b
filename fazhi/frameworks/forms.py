from django import forms
from django.conf import settings

from fazhi.core.scoping import Scope
from fazhi.frameworks.formats import DOCUMENT_SUFFIXES
from fazhi.frameworks.models import Aggregation, VetoEffect
from fazhi.orgs.selectors import regions_overseen

IMPORT_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv", *DOCUMENT_SUFFIXES)


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label="指标体系表格",
        help_text="支持 Excel（.xlsx/.xls）、CSV，以及本系统导出的 YAML/JSON。",
        error_messages={
            "empty": "上传的文件是空的（0 字节），请检查是否选错了文件。",
            "required": "请选择要导入的文件。",
        },
    )
    name = forms.CharField(
        label="名称",
        max_length=200,
        required=False,
        help_text="例如：山东省市县法治政府建设示范指标体系。YAML/JSON 文件可留空，使用文件中的名称。",
    )
    edition = forms.CharField(
        label="版本", max_length=100, required=False, help_text="例如：2025 版、第三批申报"
    )
    owner_region = forms.ModelChoiceField(
        label="适用范围", queryset=None, required=False, empty_label="全国通用（仅系统管理员）"
    )

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner_region"]
        field.queryset = regions_overseen(user=acting_user)
        if not Scope.for_user(acting_user).is_everything:
            field.required = True
            field.empty_label = None
            field.initial = acting_user.region_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError(
                f"不支持的文件类型：{upload.name}。请上传 Excel（.xlsx/.xls）、CSV 或 YAML/JSON 文件。"
            )
        if upload.size > settings.FAZHI_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"文件 {upload.name} 超过 {settings.FAZHI_IMPORT_MAX_BYTES // 1048576} MB，指标体系表格通常不会这么大，请检查是否选错了文件。"
            )
        if upload.size == 0:
            raise forms.ValidationError(f"文件 {upload.name} 是空的（0 字节）。")
        return upload

    @property
    def is_document(self) -> bool:
        return self.cleaned_data["file"].name.lower().endswith(DOCUMENT_SUFFIXES)

    def clean(self):
        data = super().clean()
        if data.get("file") and not self.is_document:
            for key, label in (("name", "名称"), ("edition", "版本")):
                if not (data.get(key) or "").strip():
                    self.add_error(key, f"请填写{label}。")
        return data


class ScoringForm(forms.Form):
    aggregation = forms.ChoiceField(
        label="汇总方式",
        choices=Aggregation.choices,
        help_text="按权重百分比：一级指标的分值视为权重（%），领域得分 = 权重 × 得分率。",
    )
    veto_effect = forms.ChoiceField(label="否决项触发时", choices=VetoEffect.choices)
