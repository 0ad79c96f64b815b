"""Fieldwork fixtures: the province's lead office and reviewer, an outside evaluator, a second
applicant (薛城区), the province's evaluation of both, and helpers that score and build tables."""

from datetime import date
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fazhi.accounts.models import User
from fazhi.campaigns.services import campaign_create
from fazhi.conftest import make_region, make_user
from fazhi.fieldwork import services
from fazhi.filing.freeze import submission_in_force
from fazhi.filing.tests.conftest import submit_filing
from fazhi.reviews import services as review_services
from fazhi.reviews.models import Side

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def province(tree):
    """The provincial office (省依法治办): its lead admin and its reviewer."""
    return SimpleNamespace(
        lead=make_user("province_lead", "lead_admin", region=tree.province),
        reviewer=make_user("province_reviewer", "reviewer", region=tree.province),
    )


@pytest.fixture
def evaluator(tree):
    """A third-party evaluator's account (评审专家 role), in the province."""
    return make_user("evaluator_zhao", "expert", region=tree.province)


@pytest.fixture
def xc_campaign(campaign, tree, people):
    """薛城区's campaign on the same framework."""
    return campaign_create(
        acting_user=people.xc_lead,
        framework=campaign.framework,
        region=tree.xc,
        name="薛城区创建全国法治政府建设示范区",
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )


@pytest.fixture
def evaluation(tree, province, campaign, xc_campaign):
    """The province's evaluation with 市中区 and 薛城区 as applicants, weights 50/30/20."""
    evaluation = services.evaluation_create(
        acting_user=province.lead,
        region=tree.province,
        name="2025年度全省法治政府建设示范创建评估",
    )
    services.applicants_add(
        acting_user=province.lead, evaluation=evaluation, campaigns=[campaign, xc_campaign]
    )
    return evaluation


@pytest.fixture
def another_province(db):
    """河南省 with its own lead office: an outsider to 山东省's evaluation."""
    henan = make_region("410000", "河南省", "province")
    return SimpleNamespace(region=henan, lead=make_user("henan_lead", "lead_admin", region=henan))


def give_written(user, campaign, deductions: dict[str, str] | None = None) -> None:
    """The written review of every indicator of the campaign: full points less the deduction
    given for its code. The written review reads the submitted filing: the nearest lead office
    over the campaign submits it first if it has not."""
    deductions = deductions or {}
    if submission_in_force(campaign.pk) is None:
        path = campaign.region.path
        leads = User.objects.filter(roles__code="lead_admin").select_related("region")
        lead = max(
            (u for u in leads if u.region and path.startswith(u.region.path)),
            key=lambda u: len(u.region.path),
        )
        submit_filing(campaign, lead)
    for item in campaign.items.filter(is_refined=False, points__isnull=False):
        taken = deductions.get(item.code)
        entries = [review_services.DeductionEntry("", "材料不全", taken)] if taken else []
        current = item.assessments.filter(side=Side.WRITTEN).first()
        review_services.assessment_save(
            acting_user=user,
            item=item,
            side=Side.WRITTEN,
            deductions=entries,
            version=current.version if current else None,
        )


def set_scores(user, applicant, field, survey):
    applicant.refresh_from_db()
    return services.applicant_scores_save(
        acting_user=user,
        applicant=applicant,
        field_score=field,
        survey_score=survey,
        version=applicant.version,
    )


def xlsx_upload(rows: list[list], *, merges: list[str] = (), name="得分.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)
