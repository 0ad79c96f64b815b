"""The world the authorization matrix runs in: two counties that each run a campaign, the
personas of every role around them, and one object of every kind a URL can name, inside and
outside each persona's reach. Text of what a persona must never read carries a marker: the
neighbouring county's materials, notes and names, and each unit's own materials (a unit never
sees another unit's). Built once, through the services as users build it, except a finished
filing build and the notifications, written as the rows they leave."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from fazhi.accounts.models import ApiToken
from fazhi.accounts.services import api_token_create
from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import self_assessment, tasklists_export, tasklists_import
from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import Item
from fazhi.campaigns.selectors import ItemFilters
from fazhi.conftest import campaign_rows, make_region, make_user
from fazhi.evidence import services as evidence_services
from fazhi.fieldwork import services as fieldwork_services
from fazhi.filing import report_templates
from fazhi.filing.models import (
    BuildStatus,
    FileKind,
    FilingBuild,
    FilingChoice,
    FilingFile,
    FilingSubmission,
)
from fazhi.filing.report_default import default_template_bytes
from fazhi.filing.submissions import current_manifest
from fazhi.frameworks import exports
from fazhi.frameworks import services as framework_services
from fazhi.frameworks.models import Node
from fazhi.frameworks.selectors import framework_rows
from fazhi.orgs.models import Unit
from fazhi.plans import drafting
from fazhi.plans import importing as plan_importing
from fazhi.plans import progress as plan_progress
from fazhi.plans.models import Notification, NotificationKind
from fazhi.plans.planreading import read_plan_lines
from fazhi.reviews import services as review_services
from fazhi.reviews.models import RoundScope, Side
from fazhi.surveys import services as survey_services
from fazhi.surveys.models import Invitation, Respondent, Stratum

MARKER = "FOREIGN-MARKER-7f3a"
# One marker per owner: a persona may read a marker only if it reaches what carries it.
SFJ, SCJG, XC = f"{MARKER}-SFJ", f"{MARKER}-SCJG", f"{MARKER}-XC"
# The written review's score (书面评审) is a marker too: one indicator's score per county, shown
# only to the evaluating side, never to the county evaluated.
WRITTEN = {"szq": "11.37", "xc": "11.26"}
WRITTEN_DEDUCTION = {"szq": "0.63", "xc": "0.74"}


@dataclass(frozen=True)
class Persona:
    """Who a persona is, said once, independently of the code under test: their roles, the
    counties their region covers, their unit, and the campaigns granted to them."""

    name: str
    roles: frozenset[str] = frozenset()
    counties: frozenset[str] = frozenset()  # covered by a region-wide role or by sitting there
    level: str = ""  # province | city | county: where their region sits
    unit: str = ""  # sfj | scjg | xc_sfj
    grants: frozenset[str] = frozenset()  # campaigns granted (expert)
    evaluation_grants: frozenset[str] = frozenset()  # granted for the written review
    seat_areas: frozenset[str] = frozenset()  # areas of the open round they review ("*": all)

    @property
    def anonymous(self) -> bool:
        return self.name == "anonymous"

    @property
    def admin(self) -> bool:
        return "admin" in self.roles

    def has(self, *roles: str) -> bool:
        return self.admin or bool(self.roles.intersection(roles))


BOTH = frozenset({"szq", "xc"})
SZQ = frozenset({"szq"})
PERSONAS = [
    Persona("anonymous"),
    Persona("admin", frozenset({"admin"}), BOTH, "province"),
    Persona("province_lead", frozenset({"lead_admin"}), BOTH, "province"),
    Persona("city_lead", frozenset({"lead_admin"}), BOTH, "city"),
    Persona("szq_lead", frozenset({"lead_admin"}), SZQ, "county", "sfj"),
    Persona("xc_lead", frozenset({"lead_admin"}), frozenset({"xc"}), "county", "xc_sfj"),
    Persona("szq_liaison", frozenset({"liaison"}), SZQ, "county", "sfj"),
    Persona("scjg_liaison", frozenset({"liaison"}), SZQ, "county", "scjg"),
    Persona("xc_liaison", frozenset({"liaison"}), frozenset({"xc"}), "county", "xc_sfj"),
    Persona(
        "szq_reviewer", frozenset({"reviewer"}), SZQ, "county", "sfj", seat_areas=frozenset("*")
    ),
    Persona("szq_leader", frozenset({"leader"}), SZQ, "county"),
    Persona("city_inspector", frozenset({"inspector"}), BOTH, "city"),
    # An outside expert named reviewer of 市中区's open round for the first area only.
    Persona(
        "expert", frozenset({"expert"}), level="province", grants=SZQ, seat_areas=frozenset("1")
    ),
    # The city's third-party evaluator, taken on by its evaluation of 市中区.
    Persona("evaluator", frozenset({"expert"}), level="city", grants=SZQ, evaluation_grants=SZQ),
    Persona("nobody", frozenset(), SZQ, "county"),
]
PERSONA = {p.name: p for p in PERSONAS}


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)  # "campaign.szq" → pk
    users: dict[str, object] = field(default_factory=dict)
    bearer: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # files the requests upload


def _tree():
    province = make_region("370000", "山东省", "province")
    city = make_region("370400", "枣庄市", "city", province)
    szq = make_region("370402", "市中区", "county", city)
    xc = make_region("370403", "薛城区", "county", city)
    town = make_region("370402001000", "中心街街道", "town", szq)

    def unit(region, code, name, short, kind="department"):
        return Unit.objects.create(region=region, code=code, name=name, short_name=short, kind=kind)

    units = SimpleNamespace(
        sfj=unit(szq, "370402-sfj", "市中区司法局", "区司法局"),
        scjg=unit(szq, "370402-scjg", "市中区市场监督管理局", "区市场监管局"),
        town=unit(town, "370402001-zxj", "中心街街道办事处", "中心街街道", "town"),
        xc_sfj=unit(xc, "370403-sfj", "薛城区司法局", "区司法局"),
        xc_scjg=unit(xc, "370403-scjg", "薛城区市场监督管理局", "区市场监管局"),
    )
    return SimpleNamespace(province=province, city=city, szq=szq, xc=xc, town=town, units=units)


def _people(t):
    u = t.units
    return {
        "admin": make_user("admin", "admin", region=t.province),
        "province_lead": make_user("province_lead", "lead_admin", region=t.province),
        "city_lead": make_user("city_lead", "lead_admin", region=t.city),
        "szq_lead": make_user("szq_lead", "lead_admin", unit=u.sfj),
        "xc_lead": make_user("xc_lead", "lead_admin", unit=u.xc_sfj),
        "szq_liaison": make_user("szq_liaison", "liaison", unit=u.sfj),
        "scjg_liaison": make_user("scjg_liaison", "liaison", unit=u.scjg),
        "xc_liaison": make_user("xc_liaison", "liaison", unit=u.xc_sfj),
        "szq_reviewer": make_user("szq_reviewer", "reviewer", unit=u.sfj),
        "szq_leader": make_user("szq_leader", "leader", region=t.szq),
        "city_inspector": make_user("city_inspector", "inspector", region=t.city),
        "expert": make_user("expert_wang", "expert", region=t.province),
        "evaluator": make_user("evaluator_zhao", "expert", region=t.city),
        "nobody": make_user("nobody", region=t.szq),
    }


def _upload(user, item, name, text, *, unit=None, title=""):
    return evidence_services.evidence_upload(
        acting_user=user,
        item=item,
        file=ContentFile(text.encode(), name=name),
        unit=unit,
        title=title,
    )


def _campaign(w: World, t, people, framework, county: str):
    """A county's campaign: a submitted item shared by two units, each unit's material in
    progress on its own item, a deleted material per unit, a refined item, a closed round that
    returned the shared item with a note on each unit's file, an open round."""
    region = getattr(t, county)
    own = "" if county == "szq" else "xc_"
    lead = people[f"{county}_lead"]
    liaison = people[f"{county}_liaison"]
    sfj, scjg = getattr(t.units, f"{own}sfj"), getattr(t.units, f"{own}scjg")
    # Whatever a unit of this county owns is marked as that unit's (or the county's) own.
    m_sfj, m_scjg = (SFJ, SCJG) if county == "szq" else (XC, XC)
    campaign = campaign_services.campaign_create(
        acting_user=lead,
        framework=framework,
        region=region,
        name=f"{region.name}创建全国法治政府建设示范区",
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
        description=XC if county == "xc" else "",
    )
    items = {i.code: i for i in campaign.items.all()}
    shared, scjg_item, sfj_item, refined_parent = (
        items["1.1.1"],
        items["1.1.2"],
        items["2.1.3"],
        items["2.1.4"],
    )
    shared_sfj = _upload(
        liaison, shared, f"{m_sfj}-复议决定书.txt", f"行政复议决定书 {m_sfj}", title=m_sfj
    )
    shared_scjg = _upload(
        lead, shared, f"{m_scjg}-执法报告.txt", f"执法报告 {m_scjg}", unit=scjg, title=m_scjg
    )
    scjg_draft = _upload(
        lead, scjg_item, f"{m_scjg}-公示.txt", f"公示目录 {m_scjg}", unit=scjg, title=m_scjg
    )
    scjg_gone = _upload(lead, scjg_item, f"{m_scjg}-旧.txt", f"旧 {m_scjg}", unit=scjg)
    sfj_draft = _upload(liaison, sfj_item, f"{m_sfj}-审查.txt", f"审查意见 {m_sfj}", title=m_sfj)
    sfj_gone = _upload(liaison, sfj_item, f"{m_sfj}-旧.txt", f"旧 {m_sfj}")
    evidence_services.evidence_delete(acting_user=lead, evidence=scjg_gone)
    evidence_services.evidence_delete(acting_user=lead, evidence=sfj_gone)
    refined = campaign_services.item_refine(
        acting_user=lead, parent=refined_parent, title="备案审查细化项"
    )
    shared.refresh_from_db()
    campaign_services.item_submit(acting_user=liaison, item=shared)

    reviewer = people["szq_reviewer"] if county == "szq" else lead
    first = review_services.round_open(
        acting_user=lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=[review_services.ReviewerSeat(reviewer)],
    )
    review = first.reviews.get(item=shared)
    review_services.review_decide(
        acting_user=reviewer,
        review=review,
        verdict="revise",
        comment="请补充复议案件统计表" + (f" {XC}" if county == "xc" else ""),
        version=review.version,
        file_notes={
            shared_sfj.pk: f"请附送达回证 {m_sfj}",
            shared_scjg.pk: f"此文件缺少盖章 {m_scjg}",
        },
    )
    shared.refresh_from_db()
    campaign_services.item_submit(acting_user=liaison, item=shared, note="已补充")
    review_services.round_close(acting_user=lead, round_=first)
    area_one = Node.objects.get(framework=framework, code="1")
    seats = [review_services.ReviewerSeat(reviewer)]
    if county == "szq":
        seats.append(review_services.ReviewerSeat(people["expert"], (area_one,)))
    second = review_services.round_open(
        acting_user=lead,
        campaign=campaign,
        name="第二轮筛查",
        scope=RoundScope.ALL,
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 4, 30),
        reviewers=seats,
    )
    shared.refresh_from_db()
    review_services.assessment_save(
        acting_user=lead,
        item=shared,
        side=Side.SELF,
        deductions=[],
        version=None,
        note=XC if county == "xc" else "",
    )
    review_services.assessment_save(
        acting_user=reviewer, item=shared, side=Side.REVIEW, deductions=[], version=None
    )
    sfj_item.refresh_from_db()
    # As after a move to a revised edition: its scores wait for the lead office's re-check.
    Item.objects.filter(pk=sfj_item.pk).update(recheck_note="分值由“10”改为“12”")
    # The city's written score comes with the filing it reads (`_filing`).
    self_assessment.explanation_save(
        acting_user=lead, item=sfj_item, text=f"司法局的自评说明 {m_sfj}", version=None
    )
    # 市场监管局's own item comes back from its review: a return an inspection can raise.
    campaign_services.item_submit(acting_user=lead, item=scjg_item)
    campaign_services.item_return(
        acting_user=lead, item=scjg_item, reason=f"公示目录未按要求公开 {m_scjg}"
    )
    tasklist = io.BytesIO()
    tasklists_export.write_task_list(
        tasklist,
        campaign=campaign,
        rows=tasklists_export.task_list_rows(campaign=campaign, user=lead, filters=ItemFilters()),
    )
    w.extra[f"tasklist.{county}"] = tasklist.getvalue()
    draft = tasklists_import.tasklist_import_preview(
        acting_user=lead,
        campaign=campaign,
        uploaded_file=ContentFile(tasklist.getvalue(), name="任务清单.xlsx"),
    )
    w.ids.update(
        {
            f"campaign.{county}": campaign.pk,
            f"item.shared.{county}": shared.pk,
            f"item.scjg.{county}": scjg_item.pk,
            f"item.sfj.{county}": sfj_item.pk,
            f"item.parent.{county}": refined_parent.pk,
            f"item.refined.{county}": refined.pk,
            f"evidence.shared_scjg.{county}": shared_scjg.pk,
            f"evidence.scjg.{county}": scjg_draft.pk,
            f"evidence.sfj.{county}": sfj_draft.pk,
            f"evidence.scjg_deleted.{county}": scjg_gone.pk,
            f"evidence.sfj_deleted.{county}": sfj_gone.pk,
            f"round.closed.{county}": first.pk,
            f"round.open.{county}": second.pk,
            f"review.open.{county}": second.reviews.get(item=shared).pk,
            f"tasklist_import.{county}": draft.pk,
            f"unit.sfj.{county}": sfj.pk,
            f"unit.scjg.{county}": scjg.pk,
            f"region.{county}": region.pk,
        }
    )
    return campaign


def _frameworks(w: World, t, people):
    national = framework_services.framework_create(
        acting_user=SYSTEM, name="测试指标体系", edition="2025", rows=campaign_rows()
    )
    w.ids["framework.national"] = national.pk
    # Its revision, for moving a campaign to another edition: 2.1.4 withdrawn.
    revised = framework_services.framework_create(
        acting_user=SYSTEM,
        name="测试指标体系",
        edition="2026",
        rows=[row for row in campaign_rows() if row["code"] != "2.1.4"],
    )
    w.ids["framework.revised"] = revised.pk
    # The national table as exported: what a lead office edits and imports as its own.
    body, _, _ = exports.export_framework(national, framework_rows(framework=national), "xlsx")
    w.extra["framework.xlsx"] = body
    for county, name in (("szq", "市中区细则"), ("xc", f"薛城区细则 {XC}")):
        owned = framework_services.framework_create(
            acting_user=people[f"{county}_lead"],
            name=name,
            edition="2025",
            rows=campaign_rows(),
            owner_region=getattr(t, county),
        )
        w.ids[f"framework.{county}"] = owned.pk
        draft = framework_services.framework_import_preview(
            acting_user=people[f"{county}_lead"],
            uploaded_file=ContentFile(w.extra["framework.xlsx"], name="细则.xlsx"),
            name=name,
            edition="2026",
            owner_region=getattr(t, county),
        )
        w.ids[f"framework_import.{county}"] = draft.pk
    return national


def _evaluations(w: World, t, people, szq_campaign):
    """The city's evaluation (its evaluator taken on) and the province's, each of 市中区."""
    from fazhi.fieldwork.parts import field_parts_save

    for key, region, owner in (
        ("city", t.city, "city_lead"),
        ("province", t.province, "province_lead"),
    ):
        evaluation = fieldwork_services.evaluation_create(
            acting_user=people[owner], region=region, name=f"{region.name}示范创建评估"
        )
        (applicant,) = fieldwork_services.applicants_add(
            acting_user=people[owner], evaluation=evaluation, campaigns=[szq_campaign]
        )
        if key == "city":
            fieldwork_services.evaluator_grant(
                acting_user=people[owner], evaluation=evaluation, user=people["evaluator"]
            )
        fieldwork_services.applicant_scores_save(
            acting_user=people[owner],
            applicant=applicant,
            field_score="88",
            survey_score="91",
            version=applicant.version,
        )
        # The field evaluation in two parts: its score is computed, never typed.
        (test_part, _) = field_parts_save(
            acting_user=people[owner],
            evaluation=evaluation,
            parts=[("法治能力测试", 40), ("实地核查", 60)],
        )
        w.ids[f"field_part.{key}"] = test_part.pk
        w.ids[f"evaluation.{key}"] = evaluation.pk
        w.ids[f"applicant.{key}"] = applicant.pk
        w.ids[f"region.{key}"] = region.pk


def _filing(w: World, people, county: str, campaign) -> None:
    """A finished build with its package. Made as the build leaves it rather than built: a real
    build converts every material with LibreOffice, tens of seconds that test nothing here."""
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(f"{campaign.name}/材料.txt", XC if county == "xc" else "市中区材料")
    stored = default_storage.save(f"filing/authz/{county}.zip", ContentFile(package.getvalue()))
    build = FilingBuild.objects.create(
        campaign=campaign,
        status=BuildStatus.READY,
        requested_by=people[f"{county}_lead"],
        finished_at=timezone.now(),
    )
    file = FilingFile.objects.create(
        build=build,
        kind=FileKind.PACKAGE,
        name=f"{campaign.name}-材料包.zip",
        storage_name=stored,
        size=len(package.getvalue()),
        sha256=hashlib.sha256(package.getvalue()).hexdigest(),
    )
    report = FilingFile.objects.create(
        build=build,
        kind=FileKind.REPORT,
        name=f"{campaign.name}-自评报告.docx",
        storage_name=stored,
        size=len(package.getvalue()),
        sha256=hashlib.sha256(b"report").hexdigest(),
    )
    # 司法局's material chosen, and the build laid out from it: a submission of it goes
    # through. Version 1 was submitted, read by the city's written review, and reopened, so
    # nothing is frozen.
    FilingChoice.objects.create(evidence_id=w.ids[f"evidence.sfj.{county}"], included=True)
    build.summary = {"manifest": current_manifest(campaign)}
    build.save(update_fields=["summary"])
    submission = FilingSubmission.objects.create(
        campaign=campaign,
        number=1,
        build=build,
        package_sha256=file.sha256,
        report_sha256=report.sha256,
        manifest=build.summary["manifest"],
        changes={"first": True},
        submitted_by=people[f"{county}_lead"],
    )
    review_services.assessment_save(
        acting_user=people["city_lead"],
        item=Item.objects.get(pk=w.ids[f"item.sfj.{county}"]),
        side=Side.WRITTEN,
        deductions=[review_services.DeductionEntry("", "材料不全", WRITTEN_DEDUCTION[county])],
        version=None,
    )
    submission.reopened_at, submission.reopen_reason = timezone.now(), "补充材料"
    submission.save(update_fields=["reopened_at", "reopen_reason"])
    w.ids[f"build.{county}"] = build.pk
    w.ids[f"filing_file.{county}"] = file.pk
    w.ids[f"submission.{county}"] = submission.pk


def plan_document(title: str) -> bytes:
    """A work plan as a Word file: one area, one measure led by 司法局 with 市场监管局 responsible."""
    from docx import Document

    document = Document()
    for line in plan_lines(title):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plan_lines(title: str) -> list[str]:
    return [
        "2025年法治政府建设工作要点",
        "一、健全依法行政制度体系",
        f"（一）{title}。（牵头单位：区司法局；责任单位：区市场监管局；完成时限：2025年6月底前）",
    ]


def _plans(w: World, t, people) -> None:
    """Each county's plan (薛城区's measure carries its marker) and an import draft of each."""
    w.extra["plan.docx"] = plan_document("矩阵上传的措施")
    for county, region in (("szq", t.szq), ("xc", t.xc)):
        title = "加强规范性文件管理" + (f" {XC}" if county == "xc" else "")
        lead = people[f"{county}_lead"]
        plan = plan_importing.plan_import(
            acting_user=lead,
            region=region,
            year=2025,
            name=f"{region.name}2025年工作要点",
            reading=read_plan_lines(plan_lines(title), year=2025),
        ).plan
        draft = plan_importing.plan_import_preview(
            acting_user=lead,
            region=region,
            year=2026,
            name="",
            uploaded_file=ContentFile(w.extra["plan.docx"], name="工作要点.docx"),
        )
        w.ids[f"plan.{county}"] = plan.pk
        w.ids[f"plan_import.{county}"] = draft.pk
        _consult(w, people, county, plan)
        reviewing = plan_importing.plan_import(
            acting_user=lead,
            region=region,
            year=2025,
            name=f"{region.name}2025年专项计划",
            reading=read_plan_lines(plan_lines(title), year=2025),
        ).plan
        for step in ("consulting", "legal_review"):
            drafting.plan_advance(
                acting_user=lead,
                plan=reviewing,
                step=step,
                record=drafting.StepRecord(consultation_until=date(2025, 3, 1)),
            )
        drafting.plan_record_legal_review(
            acting_user=lead,
            plan=reviewing,
            reviewer="法律顾问",
            opinion="合法",
            reviewed_on=date(2025, 3, 10),
        )
        w.ids[f"plan_review.{county}"] = reviewing.pk
        _issued_plan(w, people, county, region, title)


def _issued_plan(w: World, people, county: str, region, title: str) -> None:
    """A plan taken through every step to 印发, and 司法局's first-quarter report with a file."""
    lead = people[f"{county}_lead"]
    plan = plan_importing.plan_import(
        acting_user=lead,
        region=region,
        year=2025,
        name=f"{region.name}2025年已印发计划",
        reading=read_plan_lines(plan_lines(title), year=2025),
    ).plan
    record = drafting.StepRecord(
        consultation_until=date(2025, 2, 1),
        adopted_meeting="常务会议",
        adopted_on=date(2025, 2, 20),
        doc_number="政办发〔2025〕1号",
        issued_on=date(2025, 2, 25),
    )
    for step in ("consulting", "legal_review", "adopted", "issued"):
        if step == "adopted":
            drafting.plan_record_legal_review(
                acting_user=lead,
                plan=plan,
                reviewer="法律顾问",
                opinion="合法",
                reviewed_on=date(2025, 2, 10),
            )
        drafting.plan_advance(acting_user=lead, plan=plan, step=step, record=record)
    measure = plan.measures.get()
    period = plan.periods.order_by("starts_on").first()
    liaison = people["szq_liaison" if county == "szq" else "xc_liaison"]
    report = plan_progress.progress_report_save(
        acting_user=liaison,
        measure=measure,
        period=period,
        text="第一季度已完成清理",
        files=[ContentFile(b"progress evidence", name="清理台账.txt")],
    )
    measure.items.add(w.ids[f"item.sfj.{county}"])  # serves 司法局's indicator 2.1.3
    w.ids[f"measure_issued.{county}"] = measure.pk
    w.ids[f"period.{county}"] = period.pk
    w.ids[f"progress_file.{county}"] = report.files.get().pk


def _consult(w: World, people, county: str, plan) -> None:
    """The plan goes out for comment and 司法局's liaison comments on its measure."""
    drafting.plan_advance(
        acting_user=people[f"{county}_lead"],
        plan=plan,
        step="consulting",
        record=drafting.StepRecord(consultation_until=date(2025, 3, 1)),
    )
    measure = plan.measures.get()
    liaison = people["szq_liaison" if county == "szq" else "xc_liaison"]
    comment = drafting.comment_add(
        acting_user=liaison, plan=plan, measure=measure, text="建议明确完成时限"
    )
    w.ids[f"measure.{county}"] = measure.pk
    w.ids[f"plan_comment.{county}"] = comment.pk


def _surveys(w: World, t, people) -> None:
    """Each county's survey wave with a stratum (市中区's town; 薛城区 has no town in this tree,
    so a stratum of its own name) and an unused invitation to its public questionnaire."""
    for county in ("szq", "xc"):
        region = getattr(t, county)
        wave = survey_services.wave_create(
            acting_user=people[f"{county}_lead"],
            region=region,
            name=f"{region.name}2025年群众满意度测评",
            year=2025,
            items=["政务服务", "行政执法"],
        )
        stratum = wave.strata.first() or Stratum.objects.create(wave=wave, name="薛城区样本点")
        invitation = Invitation.objects.create(stratum=stratum)
        # One answer, so that the wave has a result to feed an evaluation and file as evidence.
        Respondent.objects.create(wave=wave, stratum=stratum, source="import", answers="00")
        w.extra[f"stratum_name.{county}"] = stratum.name
        w.ids[f"wave.{county}"] = wave.pk
        w.ids[f"stratum.{county}"] = stratum.pk
        w.ids[f"stratum_key.{county}"] = stratum.key
        w.ids[f"invitation.{county}"] = invitation.token
        w.ids[f"survey_item.{county}"] = wave.items.first().pk


def _inspections(w: World, t, people) -> None:
    """The city's inspection of both counties: 市中区司法局's finding waiting for 销号, 市场监管局's
    overdue and in progress with a file, 薛城区司法局's closed and drawn for 回头看; a document, and
    a findings table previewed for import. Each finding carries its unit's marker."""
    from openpyxl import Workbook

    from fazhi.inspections import importing as finding_import
    from fazhi.inspections import rechecks
    from fazhi.inspections import services as inspection_services

    inspector = people["city_inspector"]
    inspection = inspection_services.inspection_create(
        acting_user=inspector, region=t.city, name="枣庄市2025年法治督察", inspectors=[inspector]
    )

    def finding(number, unit, marker):
        return inspection_services.finding_create(
            acting_user=inspector,
            inspection=inspection,
            number=number,
            description=f"督察问题 {marker}",
            responsible_unit=unit,
            deadline=date(2024, 1, 31),
        )

    u = t.units
    sfj, scjg, xc = finding("1", u.sfj, SFJ), finding("2", u.scjg, SCJG), finding("3", u.xc_sfj, XC)
    inspection_services.finding_request_close(
        acting_user=people["szq_liaison"], finding=sfj, note="已整改"
    )
    inspection_services.rectification_save(
        acting_user=people["scjg_liaison"],
        finding=scjg,
        measures="建立公示台账",
        milestones="2024年3月底前 建立台账\n2024年6月底前 全部公示",
    )
    progress = inspection_services.finding_report_progress(
        acting_user=people["scjg_liaison"],
        finding=scjg,
        note="正在整改",
        files=[ContentFile(f"整改材料 {SCJG}".encode(), name="整改材料.txt")],
    )
    inspection_services.finding_request_close(
        acting_user=people["xc_liaison"], finding=xc, note=f"已整改 {XC}"
    )
    inspection_services.finding_verify(acting_user=inspector, finding=xc, accept=True)
    draw = rechecks.recheck_draw(acting_user=inspector, inspection=inspection, count=1, seed=1)
    document = inspection_services.inspection_document_add(
        acting_user=inspector,
        inspection=inspection,
        file=ContentFile("督察通知".encode(), name="督察通知.txt"),
        kind="notice",
    )
    table = io.BytesIO()
    book = Workbook()
    for row in (["序号", "问题描述", "责任单位"], ["9", "矩阵导入问题", "市中区司法局"]):
        book.active.append(row)
    book.save(table)
    draft = finding_import.findings_import_preview(
        acting_user=inspector,
        inspection=inspection,
        uploaded_file=ContentFile(table.getvalue(), name="问题清单.xlsx"),
    )
    w.ids.update(
        {
            "inspection.city": inspection.pk,
            "finding.sfj.szq": sfj.pk,
            "finding.scjg.szq": scjg.pk,
            "finding.sfj.xc": xc.pk,
            "finding_file.scjg.szq": progress.files.get().pk,
            "milestone.scjg.szq": scjg.milestones.first().pk,
            "recheck.sfj.xc": draw.items.get().pk,
            "inspection_document.city": document.pk,
            "finding_import.city": draft.pk,
        }
    )


def _monitoring(w: World, t, people) -> None:
    """Each county's 司法局 reported a figure (waiting for confirmation, with a file), each
    carrying its unit's marker in its note; 市中区's lead office previewed a figures table."""
    from openpyxl import Workbook

    from fazhi.monitoring import importing as figure_import
    from fazhi.monitoring import services as monitoring_services

    for county, unit, liaison, marker in (
        ("szq", t.units.sfj, "szq_liaison", SFJ),
        ("xc", t.units.xc_sfj, "xc_liaison", XC),
    ):
        figure = monitoring_services.figure_report(
            acting_user=people[liaison],
            region=unit.region,
            unit=unit,
            metric_code="court_appearance",
            period="2025Q1",
            numerator=3,
            denominator=4,
            note=f"出庭统计 {marker}",
            files=[ContentFile(f"出庭记录 {marker}".encode(), name="出庭记录.txt")],
        )
        w.ids[f"figure.sfj.{county}"] = figure.pk
        w.ids[f"figure_file.sfj.{county}"] = figure.files.get().pk
    table = io.BytesIO()
    book = Workbook()
    for row in (["地区", "指标", "分子", "分母"], ["市中区司法局", "出庭应诉率", 5, 6]):
        book.active.append(row)
    book.save(table)
    draft = figure_import.figures_import_preview(
        acting_user=people["szq_lead"],
        region=t.szq,
        uploaded_file=ContentFile(table.getvalue(), name="监测数据.xlsx"),
        period="2025Q1",
    )
    w.ids["figure_import.szq"] = draft.pk
    # 1.1.2 is evaluated by 监测数据 too, and each county bound it to 出庭应诉率.
    node = Node.objects.get(framework_id=w.ids["framework.national"], code="1.1.2")
    node.evaluation_methods = ["材料评审", "监测数据"]
    node.save(update_fields=["evaluation_methods"])
    for county in ("szq", "xc"):
        monitoring_services.binding_save(
            acting_user=people[f"{county}_lead"],
            region=getattr(t, county),
            node=node,
            metric_codes=["court_appearance"],
        )
    w.ids["node.monitored"] = node.pk


def _exams(w: World, t, people) -> None:
    """Each county's bank (the sample questions) and a test over it; its roster of one person
    of 司法局 and one of 市场监管局 (薛城区: its 司法局), all drawn, plus one not drawn; 司法局's
    person has submitted with a 简答 waiting for a grader, 市场监管局's is answering now and
    薛城区's has not started; a bank import waiting for confirmation."""
    from fazhi.exams import roster, sittings
    from fazhi.exams import services as exam_services
    from fazhi.exams.models import Question
    from fazhi.exams.tests.samples import excel_columns

    u = t.units
    for county in ("szq", "xc"):
        lead, region = people[f"{county}_lead"], getattr(t, county)
        draft = exam_services.bank_import_preview(
            acting_user=lead,
            region=region,
            name="矩阵题库",
            uploaded_file=ContentFile(excel_columns(), name="题库.xlsx"),
        )
        bank, _ = exam_services.bank_import_commit(acting_user=lead, draft=draft)
        exam = exam_services.exam_create(
            acting_user=lead, bank=bank, name="矩阵测试", blueprints={"": "single:1,essay:1"}
        )
        units = [u.sfj, u.scjg] if county == "szq" else [u.xc_sfj]
        rows = [
            {"row": i, "name": f"考生{i}", "unit": unit.name, "role": "civil", "tail": ""}
            for i, unit in enumerate(units, start=1)
        ]
        roster.roster_import(acting_user=lead, exam=exam, rows=rows)
        roster.candidates_draw(acting_user=lead, exam=exam, percent=100, seed="1")
        roster.roster_import(
            acting_user=lead,
            exam=exam,
            rows=[{"row": 9, "name": "未抽中", "unit": units[0].name, "role": "civil", "tail": ""}],
        )
        first = exam.candidates.exclude(code=None).order_by("row").first()
        sitting = sittings.sitting_start(candidate=first)
        essay = next(
            e["q"] for e in sitting.paper if Question.objects.get(pk=e["q"]).kind == "essay"
        )
        sittings.answer_save(code=first.code, question_id=essay, values=["矩阵作答"])
        sittings.submit_by_code(first.code)
        w.ids[f"exam_essay.{county}"] = sitting.answers.get(question_id=essay).pk
        if county == "szq":
            answering = exam.candidates.exclude(code=None).order_by("row").last()
            open_sitting = sittings.sitting_start(candidate=answering)
            w.ids[f"exam_sitting.{county}"] = answering.code
            w.ids[f"exam_question.{county}"] = open_sitting.paper[0]["q"]
        else:
            w.ids[f"exam_sitting.{county}"] = first.code  # submitted: every answer refused
            w.ids[f"exam_question.{county}"] = essay
        fresh = roster.roster_import(
            acting_user=lead,
            exam=exam,
            rows=[
                {"row": 10, "name": "待开考", "unit": units[0].name, "role": "civil", "tail": ""}
            ],
        )
        assert fresh == 1
        waiting = exam.candidates.get(row=exam.candidates.order_by("-row").first().row)
        waiting.code = f"WAIT{county.upper()}1"
        waiting.save(update_fields=["code"])
        w.ids[f"exam_code.{county}"] = waiting.code
        w.ids[f"exam.{county}"] = exam.pk
        w.ids[f"exam_bank.{county}"] = bank.pk
        pending = exam_services.bank_import_preview(
            acting_user=lead,
            region=region,
            name="矩阵待确认题库",
            uploaded_file=ContentFile(excel_columns(), name="题库.xlsx"),
        )
        w.ids[f"bank_import.{county}"] = pending.pk


def _casereviews(w: World, t, people) -> None:
    """The city's case-file review of both counties: one file each of 市中区司法局, 市中区市场监管局
    and 薛城区司法局, drawn and given to reviewers from elsewhere (薛城区's lead office reviews
    市中区司法局's file, 市中区司法局's reviewer the other two); a scan on 市中区司法局's file; a
    case list and a standard previewed for import; and a second review whose one file is scored,
    for the 整改通知 it can open."""
    from fazhi.casereviews import services as casereview_services
    from fazhi.casereviews import standards as casereview_standards

    lead, u = people["city_lead"], t.units
    standard_json = {
        "sections": [
            {
                "title": "案卷质量",
                "points": 100,
                "items": [
                    {
                        "code": "1",
                        "title": "文书规范",
                        "points": 100,
                        "rule": {"kind": "fixed", "per": 2},
                    },
                    {
                        "code": "F1",
                        "title": "执法主体不合法",
                        "points": 0,
                        "rule": {"kind": "whole"},
                        "veto": True,
                    },
                ],
            }
        ]
    }
    reading = casereview_standards.reading_from_json(standard_json).as_json()
    standard = casereview_standards.standard_create(
        acting_user=lead,
        region=t.city,
        name="矩阵处罚案卷标准",
        case_type="penalty",
        reading=reading,
    )

    def review(name, files):
        made = casereview_services.review_create(
            acting_user=lead,
            region=t.city,
            name=name,
            standards=[standard],
            closed_from=date(2025, 1, 1),
            closed_to=date(2025, 12, 31),
            reviewers=[people["xc_lead"], people["szq_reviewer"]],
        )
        rows = [
            {
                "row": n,
                "number": number,
                "title": f"案件 {number}",
                "case_type": "penalty",
                "unit_id": unit.pk,
                "unit": unit.name,
                "handler": "",
                "closed_on": "2025-03-01",
            }
            for n, (number, unit) in enumerate(files, start=2)
        ]
        casereview_services.cases_import(
            acting_user=lead, review=made, checked={"rows": rows, "skipped": [], "problems": []}
        )
        casereview_services.sample_draw(acting_user=lead, review=made, per_unit=1, seed=1)
        return made

    first = review("矩阵案卷评查", [("A-1", u.sfj), ("A-2", u.scjg), ("A-3", u.xc_sfj)])
    cases = {c.number: c for c in first.cases.select_related("unit", "review")}
    reviewers = {"A-1": "xc_lead", "A-2": "szq_reviewer", "A-3": "szq_reviewer"}
    for number, name in reviewers.items():
        casereview_services.case_assign(acting_user=lead, case=cases[number], reviewer=people[name])
    scan = casereview_services.scan_upload(
        acting_user=lead,
        case=cases["A-1"],
        file=ContentFile("卷宗扫描件".encode(), name="卷宗.txt"),
    )
    table = io.BytesIO()
    from openpyxl import Workbook

    book = Workbook()
    for row in (
        ["案件编号", "案件名称", "类型", "执法单位", "承办人", "结案日期"],
        ["M-9", "矩阵导入案件", "行政处罚", "市中区司法局", "", "2025-03-01"],
    ):
        book.active.append(row)
    book.save(table)
    case_draft = casereview_services.cases_import_preview(
        acting_user=lead,
        review=first,
        uploaded_file=ContentFile(table.getvalue(), name="案件清单.xlsx"),
    )
    standard_draft = casereview_standards.standard_import_preview(
        acting_user=lead,
        region=t.city,
        name="矩阵导入标准",
        case_type="penalty",
        uploaded_file=ContentFile(json.dumps(standard_json).encode(), name="标准.json"),
    )
    scored = review("矩阵已评查", [("S-1", u.sfj)])
    scored_case = scored.cases.select_related("unit", "review").get()
    casereview_services.case_assign(acting_user=lead, case=scored_case, reviewer=people["xc_lead"])
    casereview_services.sheet_score(
        acting_user=people["xc_lead"], case=scored_case, deductions=[{"item": "1", "count": 1}]
    )
    w.ids.update(
        {
            "casereview_standard.city": standard.pk,
            "casereview.city": first.pk,
            "casereview.scored": scored.pk,
            "casereview_case.sfj.szq": cases["A-1"].pk,
            "casereview_case.scjg.szq": cases["A-2"].pk,
            "casereview_case.sfj.xc": cases["A-3"].pk,
            "casereview_scan.sfj.szq": scan.pk,
            "casereview_import.city": case_draft.pk,
            "casereview_standard_import.city": standard_draft.pk,
        }
    )


def build_world() -> World:
    w = World()
    t = _tree()
    people = _people(t)
    w.users = dict(people)
    national = _frameworks(w, t, people)
    campaigns = {county: _campaign(w, t, people, national, county) for county in ("szq", "xc")}
    _evaluations(w, t, people, campaigns["szq"])
    _surveys(w, t, people)
    _plans(w, t, people)
    _inspections(w, t, people)
    _monitoring(w, t, people)
    _exams(w, t, people)
    _casereviews(w, t, people)
    for county, campaign in campaigns.items():
        _filing(w, people, county, campaign)
    w.extra["template.docx"] = default_template_bytes()
    report_templates.report_template_upload(
        acting_user=people["szq_lead"],
        region=t.szq,
        uploaded_file=ContentFile(w.extra["template.docx"], name="市中区模板.docx"),
    )
    for county in ("szq", "xc"):
        target = make_user(
            f"target_{county}",
            "liaison",
            unit=getattr(t.units, f"{'' if county == 'szq' else 'xc_'}sfj"),
        )
        w.ids[f"user.{county}"] = target.pk
    w.ids["user.top"] = people["admin"].pk
    for name, user in people.items():
        note = Notification.objects.create(
            user=user, kind=NotificationKind.REVIEW, text=f"{name} 的通知", key=f"authz:{name}"
        )
        w.ids[f"notification.{name}"] = note.pk
        _, key = api_token_create(acting_user=user, name="矩阵")
        w.bearer[name] = key
        w.ids[f"token.{name}"] = ApiToken.objects.filter(user=user).latest("pk").pk
    w.extra["tree"] = t
    return w
