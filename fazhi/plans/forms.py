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
