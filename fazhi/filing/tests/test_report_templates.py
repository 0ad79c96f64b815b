"""Report templates per region: a region's own, else the nearest one above, else the built-in;
uploads checked before anything changes; replacement and reset; who may do what."""

import zipfile
from datetime import date
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from fazhi.accounts.models import AuditEntry
from fazhi.campaigns.services import campaign_create
from fazhi.conftest import stored_names
from fazhi.filing import report_templates
from fazhi.filing.models import ReportTemplate
from fazhi.filing.report import render_report
from fazhi.filing.report_default import default_template_bytes
from fazhi.filing.report_templates import (
    report_template_reset,
    report_template_upload,
    template_content,
    template_for,
)

PAGE = "/filing/report-template/"


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def custom(marker: str = "市中区专用模板") -> bytes:
    return docx_bytes(
        f"{marker}：{{{{ campaign.name }}}}",
        "{%p for s in shortcomings %}",
        "{{ s.text }}",
        "{%p endfor %}",
    )


def upload(user, region, content: bytes, name: str = "自评报告模板.docx") -> ReportTemplate:
    return report_template_upload(
        acting_user=user, region=region, uploaded_file=SimpleUploadedFile(name, content)
    )


def stored_files() -> list[str]:
    return stored_names(report_templates.STORAGE_FOLDER)


def first_line(campaign) -> str:
    out = BytesIO()
    render_report(campaign=campaign, out=out, today=date(2025, 3, 15))
    return Document(BytesIO(out.getvalue())).paragraphs[0].text


def another_campaign(campaign, user, region, name):
    return campaign_create(
        acting_user=user,
        framework=campaign.framework,
        region=region,
        name=name,
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )


# -- which template is used ----------------------------------------------------------------------


def test_an_uploaded_template_is_used_for_its_region_and_those_below_but_not_another_county(
    campaign, people, tree
):
    upload(people.szq_lead, tree.szq, custom())
    assert template_for(tree.szq).region == tree.szq
    assert template_for(tree.town).region == tree.szq
    assert template_for(tree.xc) is None and template_for(tree.city) is None

    assert first_line(campaign) == "市中区专用模板：市中区创建全国法治政府建设示范区"
    town = another_campaign(campaign, people.szq_lead, tree.town, "中心街街道法治建设示范")
    assert first_line(town) == "市中区专用模板：中心街街道法治建设示范"
    xc = another_campaign(campaign, people.xc_lead, tree.xc, "薛城区创建示范区")
    assert first_line(xc) == "薛城区创建示范区自评报告"  # the built-in template's title


def test_a_region_without_its_own_uses_the_nearest_one_above(people, tree):
    upload(people.city_lead, tree.city, custom("枣庄市模板"), name="枣庄市模板.docx")
    upload(people.szq_lead, tree.szq, custom())
    assert template_for(tree.xc).original_name == "枣庄市模板.docx"
    assert template_for(tree.town).region == tree.szq
    assert template_for(tree.province) is None


def test_an_upload_is_stored_under_the_region_and_audited(people, tree):
    content = custom()
    template = upload(people.szq_lead, tree.szq, content)
    assert template.storage_name.startswith("reports/templates/370402/")
    assert (template.original_name, template.size) == ("自评报告模板.docx", len(content))
    assert template.uploaded_by == people.szq_lead
    assert template_content(tree.town) == content
    entry = AuditEntry.objects.get(action="report_template.upload")
    assert entry.region == tree.szq and entry.after["original_name"] == "自评报告模板.docx"


def test_a_replacement_deletes_the_old_file_once_committed(
    people, tree, django_capture_on_commit_callbacks
):
    first = upload(people.szq_lead, tree.szq, custom("第一版"))
    content = custom("第二版")
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(people.szq_lead, tree.szq, content)
    assert ReportTemplate.objects.get().storage_name == second.storage_name
    assert not default_storage.exists(first.storage_name)
    assert stored_files() == [second.storage_name.removeprefix("reports/templates/")]
    assert template_content(tree.szq) == content


# -- refusing what will not work -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            ("{%p for s in shortcomings %}", "{{ s.text }}", "结尾"),
            ["“{% for %}”没有对应的“{% endfor %}”", "{% for s in shortcomings %}"],
        ),
        (("{{ campagin.name }}",), ["报告不提供的变量：campagin", "{{ campagin.name }}"]),
        (("{{ campaign.nmae }}",), ["报告不提供的字段“nmae”", "{{ campaign.nmae }}"]),
        (("{{ campaign.name }",), ["标签写法有误", "{{ campaign.name }"]),
        (("{%tr for a in areas %}", "{%tr endfor %}"), ["无法识别的标签“tr”"]),
        (("{{ campaign.__class__ }}",), ["不允许"]),
    ],
)
def test_a_broken_template_is_refused_naming_the_problem_and_the_old_one_stays(
    people, tree, paragraphs, expected
):
    kept = upload(people.szq_lead, tree.szq, custom())
    with pytest.raises(ValidationError) as refused:
        upload(people.szq_lead, tree.szq, docx_bytes("前文", *paragraphs), name="新模板.docx")
    message = refused.value.messages[0]
    for part in expected:
        assert part in message
    assert ReportTemplate.objects.get().storage_name == kept.storage_name
    assert stored_files() == [kept.storage_name.removeprefix("reports/templates/")]
    assert AuditEntry.objects.filter(action="report_template.upload").count() == 1


def zip_bytes(**members: bytes) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("模板.doc", b"\xd0\xcf\x11\xe0old word", "不是 .docx 文件"),
        ("模板.docx", "只是改了扩展名的文本".encode(), "不是有效的 Word 文档"),
        ("模板.docx", zip_bytes(**{"xl/workbook.xml": b"<x/>"}), "不是有效的 Word 文档"),
        ("模板.docx", b"", "空文件"),
    ],
)
def test_a_file_that_is_not_a_word_document_is_refused(people, tree, name, content, expected):
    with pytest.raises(ValidationError, match=expected):
        upload(people.szq_lead, tree.szq, content, name=name)
    assert not ReportTemplate.objects.exists() and stored_files() == []


def test_a_file_over_the_limit_is_refused(people, tree, monkeypatch):
    monkeypatch.setattr(report_templates, "MAX_BYTES", 1024 * 1024)
    with pytest.raises(ValidationError, match="超过 1 MB 的上限"):
        upload(people.szq_lead, tree.szq, custom() + b"\0" * 1024 * 1024)
    assert not ReportTemplate.objects.exists() and stored_files() == []


# -- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "region"),
    [("szq_liaison", "szq"), ("szq_reviewer", "szq"), ("xc_lead", "szq"), ("szq_lead", "city")],
)
def test_only_the_regions_own_lead_office_or_one_above_may_upload(people, tree, persona, region):
    with pytest.raises(PermissionDenied):
        upload(getattr(people, persona), getattr(tree, region), custom())
    assert not ReportTemplate.objects.exists() and stored_files() == []


def test_reset_returns_to_the_region_above_and_then_to_the_built_in(
    campaign, people, tree, django_capture_on_commit_callbacks
):
    upload(people.city_lead, tree.city, custom("枣庄市模板"))
    own = upload(people.szq_lead, tree.szq, custom())
    with pytest.raises(PermissionDenied):
        report_template_reset(acting_user=people.xc_lead, region=tree.szq)
    with django_capture_on_commit_callbacks(execute=True):
        report_template_reset(acting_user=people.szq_lead, region=tree.szq)
    assert not default_storage.exists(own.storage_name)
    assert template_for(tree.szq).region == tree.city
    assert first_line(campaign).startswith("枣庄市模板：")
    with pytest.raises(ValidationError, match="没有自己的模板"):
        report_template_reset(acting_user=people.szq_lead, region=tree.szq)

    report_template_reset(acting_user=people.city_lead, region=tree.city)
    assert template_for(tree.szq) is None
    assert template_content(tree.szq) == default_template_bytes()
    assert first_line(campaign) == "市中区创建全国法治政府建设示范区自评报告"
    assert AuditEntry.objects.filter(action="report_template.reset").count() == 2


# -- the page --------------------------------------------------------------------------------------


def test_the_page_shows_the_template_in_force_and_the_tags(people, tree, login):
    client = login(people.szq_lead)
    page = client.get(PAGE).content.decode()
    assert "平台内置模板" in page
    assert "{{ campaign.name }}" in page and "{% for a in areas %}" in page
    assert "{{ a.completion_text }}" in page
    upload(people.city_lead, tree.city, custom(), name="枣庄市模板.docx")
    page = client.get(PAGE).content.decode()
    assert "沿用上级地区<strong>枣庄市</strong>的模板" in page
    assert "恢复为上级或内置模板" not in page  # nothing of its own to reset


def test_uploading_through_the_page_and_downloading_it_back(people, tree, login):
    client = login(people.szq_lead)
    content = custom()
    response = client.post(PAGE, {"file": SimpleUploadedFile("我们的模板.docx", content)})
    assert response.status_code == 302
    page = client.get(PAGE).content.decode()
    assert "市中区自己的模板：<strong>我们的模板.docx</strong>" in page
    assert "恢复为上级或内置模板" in page
    download = client.get(f"{PAGE}download/")
    assert download.content == content
    assert quote("我们的模板.docx") in download["Content-Disposition"]


def test_a_broken_upload_through_the_page_shows_the_problem_and_changes_nothing(
    people, tree, login
):
    response = login(people.szq_lead).post(
        PAGE, {"file": SimpleUploadedFile("坏模板.docx", docx_bytes("{{ foo }}"))}
    )
    assert response.status_code == 200
    assert "报告不提供的变量：foo" in response.content.decode()
    assert not ReportTemplate.objects.exists() and stored_files() == []


def test_the_built_in_template_downloads_with_its_chinese_name(people, login):
    response = login(people.szq_lead).get(f"{PAGE}default/")
    assert response.content == default_template_bytes()
    assert (
        "filename*=UTF-8''" + quote("自评报告模板（内置）.docx")
        in (response["Content-Disposition"])
    )


def test_reset_through_the_page(people, tree, login):
    upload(people.szq_lead, tree.szq, custom())
    client = login(people.szq_lead)
    assert client.get(f"{PAGE}reset/").status_code == 405
    assert client.post(f"{PAGE}reset/").status_code == 302
    assert not ReportTemplate.objects.exists()


def test_the_draft_download_uses_the_regions_template(campaign, people, tree, login):
    upload(people.szq_lead, tree.szq, custom())
    response = login(people.szq_lead).get(f"/filing/campaigns/{campaign.pk}/report.docx")
    document = Document(BytesIO(response.content))
    assert document.paragraphs[0].text == "市中区专用模板：市中区创建全国法治政府建设示范区"


def test_a_template_that_fails_on_the_campaigns_data_is_a_message_not_an_error(
    campaign, people, tree, login
):
    # passes the check (the sample has tasks) but divides by zero on a campaign with none done
    upload(people.szq_lead, tree.szq, docx_bytes("{{ 100 // summary.approved }}"))
    client = login(people.szq_lead)
    response = client.get(f"/filing/campaigns/{campaign.pk}/report.docx", follow=True)
    assert response.redirect_chain[-1][0] == f"/filing/campaigns/{campaign.pk}/"
    assert "自评报告模板无法生成报告：integer division or modulo by zero" in (
        response.content.decode()
    )


def test_a_list_shorter_than_the_sample_drafts_as_blank(campaign, people, tree):
    # the check's sample has two highlights; a campaign with none leaves the line blank
    upload(people.szq_lead, tree.szq, docx_bytes("{{ highlights[1].text }}", "{{ campaign.name }}"))
    assert first_line(campaign) == ""


@pytest.mark.parametrize("path", ["", "download/", "default/"])
def test_a_liaison_is_refused_every_template_page(people, login, path):
    assert login(people.szq_liaison).get(f"{PAGE}{path}").status_code == 403


def test_a_liaison_cannot_reset(people, tree, login):
    upload(people.szq_lead, tree.szq, custom())
    assert login(people.szq_liaison).post(f"{PAGE}reset/").status_code == 403
    assert ReportTemplate.objects.exists()


def test_another_county_neither_sees_nor_replaces_the_template(people, tree, login):
    upload(people.szq_lead, tree.szq, custom(), name="市中区模板.docx")
    client = login(people.xc_lead)
    page = client.get(PAGE).content.decode()
    assert "市中区模板.docx" not in page and "平台内置模板" in page
    assert client.get(f"{PAGE}download/").content == default_template_bytes()
    client.post(f"{PAGE}reset/")  # resets 薛城区's own, which it has none of
    client.post(PAGE, {"file": SimpleUploadedFile("薛城区.docx", custom("薛城区模板"))})
    assert template_for(tree.szq).original_name == "市中区模板.docx"
    assert template_for(tree.xc).original_name == "薛城区.docx"
