from django import forms

from fazhi.campaigns.forms import DATE


class EvidenceForm(forms.Form):
    title = forms.CharField(label="标题", max_length=255)
    doc_number = forms.CharField(
        label="文号", max_length=100, required=False, help_text="例如：枣政办发〔2023〕12号"
    )
    issued_on = forms.DateField(label="成文日期", widget=DATE, required=False)
    effective_on = forms.DateField(label="生效日期", widget=DATE, required=False)
    description = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ArchiveForm(forms.Form):
    archive = forms.FileField(
        label="ZIP 压缩包",
        help_text="文件夹或文件名以指标编号开头（如“3.2.37 行政复议”或“37 行政复议”），"
        "系统据此把文件放到对应任务项；支持中文文件名（GBK 或 UTF-8）。",
        error_messages={"required": "请选择 ZIP 压缩包。", "empty": "压缩包是空文件（0 字节）。"},
    )
