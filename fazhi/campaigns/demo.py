"""The demo campaign: 市中区's creation effort on the illustrative framework, with two refined
items and a few materials from 区司法局 (one uploaded twice, one dated before the period) so that
every page and check has something to show."""

from datetime import date
from io import BytesIO

from django.core.files.base import ContentFile
from docx import Document

from fazhi.accounts.models import User
from fazhi.campaigns import services
from fazhi.campaigns.models import AssignmentRole, Campaign
from fazhi.evidence.services import evidence_upload
from fazhi.frameworks.models import Framework
from fazhi.orgs.models import Region

DEMO_NAME = "市中区创建全国法治政府建设示范区（演示）"
MATERIALS = [
    (
        "关于印发《市中区行政复议案件办理规范》的通知.docx",
        [
            "枣庄市市中区人民政府办公室",
            "市中政办发〔2024〕15号",
            "关于印发《市中区行政复议案件办理规范》的通知",
            "各镇人民政府、街道办事处，区政府各部门：",
            "为规范行政复议案件办理，提升行政复议公信力，现将《市中区行政复议案件办理规范》印发给你们，请认真贯彻执行。",
            "2024年3月12日",
        ],
    ),
    (
        "2024年度行政执法公示工作总结.docx",
        [
            "市中区司法局2024年度行政执法公示工作总结",
            "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度，全年公示执法信息一千二百余条。",
            "2024年12月20日",
        ],
    ),
    (
        "2021年规范性文件备案审查情况.docx",
        [
            "市中区2021年规范性文件备案审查情况报告",
            "全年审查规范性文件二十三件，纠正问题文件两件。",
            "2021年12月28日",
        ],
    ),
]


def _docx(paragraphs: list[str]) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def load_demo_campaign(framework: Framework) -> Campaign:
    existing = Campaign.objects.filter(name=DEMO_NAME).first()
    if existing is not None:
        return existing
    lead = User.objects.get(username="szq_admin")
    liaison = User.objects.get(username="szq_sfj_liaison")
    campaign = services.campaign_create(
        acting_user=lead,
        framework=framework,
        region=Region.objects.get(code="370402"),
        name=DEMO_NAME,
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )
    own = campaign.items.filter(
        assignments__unit=liaison.unit, assignments__role=AssignmentRole.LEAD
    ).order_by("sort_key")
    first, second = own[0], own[1]
    for title in ("制度文件制定情况", "制度执行情况及台账"):
        services.item_refine(acting_user=lead, parent=second, title=title)
    targets = [first, first, second.children.order_by("sort_key").first()]
    contents = [_docx(paragraphs) for _name, paragraphs in MATERIALS]
    for (name, _paragraphs), content, item in zip(MATERIALS, contents, targets, strict=True):
        evidence_upload(acting_user=liaison, item=item, file=ContentFile(content, name=name))
    # The same notice again on another item: what the duplicate check is for.
    evidence_upload(
        acting_user=liaison,
        item=own[2],
        file=ContentFile(contents[0], name="复议规范（重复上传）.docx"),
    )
    return campaign
