from django import forms

from fazhi.filing.report_templates import MAX_BYTES


class ReportTemplateForm(forms.Form):
    file = forms.FileField(
        label="模板文件",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text=f"Word 文档（.docx），不超过 {MAX_BYTES // (1024 * 1024)} MB。"
        "上传前会用示例数据试生成一次，模板有错误时不会替换现有模板。",
    )
