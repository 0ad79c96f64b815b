"""Writes on review activities: creating one, its case list (import, previewed), the sample
draw, who reviews which file (交叉评查), scans and page notes, score sheets (初评 and 复核) and the
整改通知单 that opens findings in the inspections app.

Who may do what is decided here, once, for the pages, the API and the command line:
- the lead office of the review's region (`editable_by`) creates, imports, draws, assigns;
- the reviewer assigned a sheet scores it; the lead office may score a sheet nobody holds;
- **nobody grades their own unit's files**: a reviewer sitting in the file's unit is refused
  the assignment, and whoever sits in that unit is refused the score, whatever their role."""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.casereviews import scoring
from fazhi.casereviews.caselists import CaseReading, read_case_table
from fazhi.casereviews.models import (
    Case,
    CaseImport,
    CaseReview,
    CaseScan,
    CaseType,
    Deduction,
    Grade,
    PageNote,
    SampleDraw,
    ScoreSheet,
    SheetRound,
    SheetStatus,
    Standard,
)
from fazhi.casereviews.reach import reachable_cases
from fazhi.casereviews.standards import case_type_of
from fazhi.core.scoping import Scope, can_write_at, is_editable
from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.core.tempfiles import temp_dir
from fazhi.evidence.attachments import store_attachment

MAX_SEED = 2**31 - 1
MAX_ROWS = 20000


# -- who may ------------------------------------------------------------------------------------


def may_manage(user, review: CaseReview) -> bool:
    return is_editable(user, CaseReview, review.pk)


def check_manage(user, review: CaseReview) -> None:
    if not may_manage(user, review):
        raise PermissionDenied("只有组织评查的依法治办可以进行该操作。")


def sits_in_unit(user, case: Case) -> bool:
    unit_id = getattr(user, "unit_id", None) or Scope.for_user(user).unit_id
    return bool(unit_id) and unit_id == case.unit_id


# -- review activities --------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    acting_user,
    region,
    name: str,
    standards,
    closed_from: date,
    closed_to: date,
    units=(),
    reviewers=(),
) -> CaseReview:
    if not can_write_at(acting_user, CaseReview, region=region):
        raise PermissionDenied(f"您无权在 {region} 组织案卷评查。")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写评查名称。"
    if not closed_from or not closed_to:
        errors["closed_to"] = "请填写结案日期的起止日期。"
    elif closed_to < closed_from:
        errors["closed_to"] = "结案日期的截止日期不能早于起始日期。"
    standards = list(standards)
    if not standards:
        errors["standards"] = "请选择至少一个评查标准。"
    types = [s.case_type for s in standards]
    doubled = {t for t in types if types.count(t) > 1}
    if doubled:
        labels = "、".join(CaseType(t).label for t in sorted(doubled))
        errors["standards"] = f"每种案件类型只能选一个评查标准：{labels} 选了多个。"
    for standard in standards:
        if not region.path.startswith(standard.region.path):
            errors["standards"] = f"评查标准“{standard}”不属于 {region} 或其上级。"
    outside = [u for u in units if not u.region.path.startswith(region.path)]
    if outside:
        errors["units"] = f"{outside[0]} 不在 {region} 范围内。"
    if errors:
        raise ValidationError(errors)
    review = CaseReview.objects.create(
        region=region,
        name=name[:200],
        closed_from=closed_from,
        closed_to=closed_to,
        created_by=stored_user(acting_user),
    )
    review.standards.set(standards)
    review.units.set(units)
    review.reviewers.set(reviewers)
    audit_record(
        acting_user=acting_user,
        action="casereview.create",
        target=review,
        region=region,
        summary=f"新建案卷评查“{review.name}”（结案日期 {closed_from} 至 {closed_to}）",
        after={"standards": [str(s) for s in standards]},
    )
    return review


@transaction.atomic
def review_set_reviewers(*, acting_user, review: CaseReview, reviewers) -> CaseReview:
    check_manage(acting_user, review)
    reviewers = list(reviewers)
    review.reviewers.set(reviewers)
    audit_record(
        acting_user=acting_user,
        action="casereview.reviewers",
        target=review,
        region=review.region,
        summary="评查人员：" + "、".join(r.display_name or r.username for r in reviewers),
    )
    return review


def standard_for(case: Case) -> Standard:
    standard = case.review.standards.filter(case_type=case.case_type).first()
    if standard is None:
        raise ValidationError(f"本次评查没有适用于{case.get_case_type_display()}案卷的评查标准。")
    return standard


# -- the case list ------------------------------------------------------------------------------


def in_window(review: CaseReview, closed_on: date | None) -> bool:
    return closed_on is not None and review.closed_from <= closed_on <= review.closed_to


def checked_rows(review: CaseReview, reading: CaseReading) -> dict:
    """The rows read, each with its unit and case type settled, those to skip said why, and
    the problems that refuse the file (a unit not certain, a type unknown, a number twice)."""
    from fazhi.campaigns.services import CERTAIN, unit_matcher_for

    matcher = unit_matcher_for(review.region)
    types = set(review.standards.values_list("case_type", flat=True))
    units = set(review.units.values_list("pk", flat=True))
    taken = set(review.cases.values_list("number", flat=True))
    seen: dict[str, int] = {}
    rows, skipped, problems = [], [], list(reading.problems)
    for row in reading.rows:
        if not row.number:
            continue
        try:
            case_type = case_type_of(row.case_type)
        except ValidationError:
            problems.append(f"{row.where('case_type')}：案件类型“{row.case_type}”不认识")
            continue
        found = matcher.match(row.unit) if row.unit else None
        sure = found is not None and found.confidence in CERTAIN and len(found.units) == 1
        if not sure:
            hint = ""
            if found is not None and found.candidates:
                hint = "（可能是：" + "、".join(u.name for u, _ in found.candidates[:3]) + "）"
            problems.append(
                f"{row.where('unit')}：执法单位“{row.unit}”在 {review.region} 未能确定{hint}，"
                "请写单位全称"
            )
            continue
        unit = found.units[0]
        if row.number in seen:
            problems.append(
                f"{row.where('number')}：案件编号 {row.number} 与第 {seen[row.number]} 行重复"
            )
            continue
        seen[row.number] = row.row
        if row.number in taken:
            problems.append(
                f"{row.where('number')}：案件编号 {row.number} 已在本次评查的案件清单中"
            )
            continue
        reason = ""
        if not in_window(review, row.closed_on):
            reason = (
                f"结案日期 {row.closed_on} 不在 {review.closed_from} 至 {review.closed_to} 之内，"
                "不参加评查"
            )
        elif case_type not in types:
            reason = f"本次评查不含{CaseType(case_type).label}案卷"
        elif units and unit.pk not in units:
            reason = f"{unit.name} 不是本次评查的被评查单位"
        if reason:
            skipped.append(f"第 {row.row} 行（{row.number}）：{reason}")
            continue
        rows.append(
            {
                "row": row.row,
                "number": row.number,
                "title": row.title,
                "case_type": case_type,
                "unit_id": unit.pk,
                "unit": unit.name,
                "handler": row.handler,
                "closed_on": row.closed_on.isoformat(),
            }
        )
    return {"rows": rows, "skipped": skipped, "problems": problems}


def read_case_file(path: Path, *, filename: str) -> CaseReading:
    return read_case_table(read_workbook(Path(path), filename=filename, row_cap=MAX_ROWS))


def _read_case_upload(uploaded_file) -> tuple[CaseReading, str]:
    filename = Path(uploaded_file.name or "案件清单.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            f"文件“{filename}”超过 {limit // (1024 * 1024)} MB，请检查是否选错了文件。"
        )
    with temp_dir("caselist-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        try:
            return read_case_file(path, filename=filename), filename
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc


def cases_import_preview(*, acting_user, review: CaseReview, uploaded_file) -> CaseImport:
    check_manage(acting_user, review)
    reading, filename = _read_case_upload(uploaded_file)
    return CaseImport.objects.create(
        review=review,
        created_by=stored_user(acting_user),
        source_name=filename[:255],
        result=checked_rows(review, reading),
    )


@transaction.atomic
def cases_import(
    *, acting_user, review: CaseReview, checked: dict, source_name: str = ""
) -> list[Case]:
    """Store the rows checked, all or none."""
    check_manage(acting_user, review)
    if checked["problems"]:
        raise ValidationError(checked["problems"])
    if not checked["rows"]:
        raise ValidationError("没有可导入的案件：" + "；".join(checked["skipped"][:3]))
    created = Case.objects.bulk_create(
        Case(
            review=review,
            number=row["number"],
            title=row["title"] or row["number"],
            case_type=row["case_type"],
            unit_id=row["unit_id"],
            handler=row["handler"],
            closed_on=date.fromisoformat(row["closed_on"]),
        )
        for row in checked["rows"]
    )
    audit_record(
        acting_user=acting_user,
        action="casereview.import_cases",
        target=review,
        region=review.region,
        summary=f"从 {source_name} 导入案件 {len(created)} 件，跳过 {len(checked['skipped'])} 件",
    )
    return created


def cases_import_commit(*, acting_user, draft: CaseImport) -> list[Case]:
    if draft.result.get("problems"):
        raise ValidationError("案件清单中还有错误，请修改表格后重新上传。")
    with transaction.atomic():
        draft = CaseImport.objects.select_for_update().get(pk=draft.pk)
        if draft.status != CaseImport.Status.PREVIEW:
            raise ValidationError("该案件清单已经导入。")
        created = cases_import(
            acting_user=acting_user,
            review=draft.review,
            checked=draft.result,
            source_name=draft.source_name,
        )
        draft.status = CaseImport.Status.COMMITTED
        draft.save(update_fields=["status"])
    return created


# -- sampling -----------------------------------------------------------------------------------


def parse_share(value) -> Decimal:
    """A share as 0.1, 10 or 10% (ten per cent)."""
    text = str(value).strip().rstrip("%％")
    try:
        share = Decimal(text)
    except ArithmeticError as exc:
        raise ValidationError({"share": f"抽取比例“{value}”应为 0.1、10 或 10% 这样的数"}) from exc
    if share.is_nan() or share <= 0 or share > 100:
        raise ValidationError({"share": "抽取比例应大于 0，至多 100%。"})
    return share / 100 if share > 1 or str(value).strip().endswith(("%", "％")) else share


def draw_sample(cases, *, per_unit: int | None, share: Decimal | None, seed: int) -> list[str]:
    """The case numbers drawn: from each unit's cases of each type (in number order), `per_unit`
    of them or `share` rounded up (at least one). Same cases and seed, same numbers."""
    groups: dict[tuple, list] = defaultdict(list)
    for case in sorted(cases, key=lambda c: c.number):
        groups[(case.unit.code or str(case.unit_id), case.case_type)].append(case)
    rng = random.Random(seed)
    drawn = []
    for key in sorted(groups):
        pool = groups[key]
        size = per_unit if per_unit is not None else max(1, math.ceil(len(pool) * share))
        drawn += rng.sample(pool, min(size, len(pool)))
    return sorted(c.number for c in drawn)


@transaction.atomic
def sample_draw(
    *, acting_user, review: CaseReview, per_unit=None, share=None, seed=None
) -> SampleDraw:
    check_manage(acting_user, review)
    review = CaseReview.objects.select_for_update().get(pk=review.pk)
    if (per_unit in (None, "")) == (share in (None, "")):
        raise ValidationError("请填写每单位抽取件数或抽取比例（二选一）。")
    if per_unit not in (None, ""):
        try:
            per_unit, share = int(per_unit), None
        except (TypeError, ValueError) as exc:
            raise ValidationError({"per_unit": "每单位抽取件数应为正整数。"}) from exc
        if per_unit < 1:
            raise ValidationError({"per_unit": "每单位抽取件数至少为 1。"})
    else:
        share, per_unit = parse_share(share), None
    if seed in (None, ""):
        seed = secrets.randbelow(MAX_SEED)
    try:
        seed = int(seed)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"seed": "随机种子应为整数。"}) from exc
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": f"随机种子应在 0 到 {MAX_SEED} 之间。"})
    if ScoreSheet.objects.filter(case__review=review, status=SheetStatus.SCORED).exists():
        raise ValidationError("已有案卷评分，不能重新抽取样本。")
    cases = [c for c in review.cases.select_related("unit") if in_window(review, c.closed_on)]
    if not cases:
        raise ValidationError("案件清单中没有结案日期在评查范围内的案件，请先导入案件清单。")
    numbers = draw_sample(cases, per_unit=per_unit, share=share, seed=seed)
    ScoreSheet.objects.filter(case__review=review).delete()
    review.cases.update(sampled=False)
    review.cases.filter(number__in=numbers).update(sampled=True)
    draw = SampleDraw.objects.create(
        review=review,
        seed=seed,
        per_unit=per_unit,
        share=share,
        numbers=numbers,
        created_by=stored_user(acting_user),
    )
    audit_record(
        acting_user=acting_user,
        action="casereview.sample",
        target=review,
        region=review.region,
        summary=f"抽取案卷 {len(numbers)} 件（随机种子 {seed}）",
        after={"per_unit": per_unit, "share": str(share) if share else None, "seed": seed},
    )
    return draw


# -- assignment (交叉评查) -------------------------------------------------------------------------


def _check_reviewer(case: Case, reviewer, round: int) -> None:
    if not case.sampled:
        raise ValidationError(f"案卷 {case.number} 未被抽中，不参加评查。")
    if not in_window(case.review, case.closed_on):
        raise ValidationError(f"案卷 {case.number} 的结案日期不在本次评查的范围内。")
    if reviewer.unit_id and reviewer.unit_id == case.unit_id:
        raise ValidationError(
            f"{reviewer.display_name or reviewer.username} 属于{case.unit.name}，"
            f"不能评查本单位的案卷 {case.number}（交叉评查）。"
        )
    if round == SheetRound.SECOND:
        first = case.sheets.filter(round=SheetRound.FIRST).first()
        if first is None or first.status != SheetStatus.SCORED:
            raise ValidationError(f"案卷 {case.number} 还没有初评结果，不能安排复核。")
        if first.reviewer_id == reviewer.pk:
            raise ValidationError(
                f"复核应由初评以外的人员进行：{reviewer} 已初评案卷 {case.number}。"
            )


@transaction.atomic
def case_assign(*, acting_user, case: Case, reviewer, round: int = SheetRound.FIRST) -> ScoreSheet:
    check_manage(acting_user, case.review)
    _check_reviewer(case, reviewer, round)
    sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(case=case, round=round)
    if sheet.status == SheetStatus.SCORED:
        raise ValidationError(f"案卷 {case.number} 的{sheet.get_round_display()}已评分，不能改派。")
    sheet.reviewer = reviewer
    sheet.save(update_fields=["reviewer"])
    audit_record(
        acting_user=acting_user,
        action="casereview.assign",
        target=case,
        region=case.review.region,
        summary=f"案卷 {case.number} {sheet.get_round_display()}交由 {reviewer} 评查",
    )
    return sheet


@transaction.atomic
def assign_evenly(*, acting_user, review: CaseReview) -> int:
    """Give every sampled file without a reviewer to the review's reviewers in turn, each file
    to someone outside its unit. Returns how many were assigned."""
    check_manage(acting_user, review)
    reviewers = sorted(review.reviewers.all(), key=lambda u: u.username)
    if not reviewers:
        raise ValidationError("请先设置本次评查的评查人员。")
    load = {
        r.pk: ScoreSheet.objects.filter(case__review=review, reviewer=r).count() for r in reviewers
    }
    waiting = review.cases.filter(sampled=True).exclude(
        sheets__round=SheetRound.FIRST, sheets__reviewer__isnull=False
    )
    assigned = 0
    for case in waiting.select_related("unit", "review"):
        allowed = [r for r in reviewers if r.unit_id != case.unit_id]
        if not allowed:
            raise ValidationError(f"没有{case.unit.name}以外的评查人员可以评查案卷 {case.number}。")
        reviewer = min(allowed, key=lambda r: (load[r.pk], r.username))
        case_assign(acting_user=acting_user, case=case, reviewer=reviewer)
        load[reviewer.pk] += 1
        assigned += 1
    return assigned


# -- scans and page notes -----------------------------------------------------------------------


def may_work_on(user, case: Case) -> bool:
    """The lead office, a reviewer of the file, or the file's own unit (its scans)."""
    if not reachable_cases(user).filter(pk=case.pk).exists():
        return False
    return (
        may_manage(user, case.review)
        or case.sheets.filter(reviewer_id=getattr(user, "pk", None)).exists()
        or sits_in_unit(user, case)
    )


@transaction.atomic
def scan_upload(*, acting_user, case: Case, file) -> CaseScan:
    if not may_work_on(acting_user, case):
        raise PermissionDenied("只有组织评查的依法治办、评查人员或执法单位可以上传案卷扫描件。")
    blob, name = store_attachment(file)
    scan = CaseScan.objects.create(
        case=case, blob=blob, original_name=name[:255], uploaded_by=stored_user(acting_user)
    )
    audit_record(
        acting_user=acting_user,
        action="casereview.scan_upload",
        target=case,
        region=case.review.region,
        summary=f"案卷 {case.number} 上传扫描件“{name}”",
    )
    return scan


@transaction.atomic
def page_note_add(*, acting_user, scan: CaseScan, page, text: str) -> PageNote:
    case = scan.case
    if sits_in_unit(acting_user, case) or not may_work_on(acting_user, case):
        raise PermissionDenied("只有评查人员和组织评查的依法治办可以批注案卷。")
    try:
        page = int(page)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"page": "页码应为正整数。"}) from exc
    if page < 1:
        raise ValidationError({"page": "页码应为正整数。"})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写批注内容。"})
    note = PageNote.objects.create(scan=scan, page=page, text=text, author=stored_user(acting_user))
    audit_record(
        acting_user=acting_user,
        action="casereview.page_note",
        target=case,
        region=case.review.region,
        summary=f"案卷 {case.number} 第 {page} 页批注",
    )
    return note


# -- score sheets -------------------------------------------------------------------------------


def current_sheet(case: Case) -> ScoreSheet | None:
    """The sheet being worked on: the 复核 once one is arranged, else the 初评."""
    return case.sheets.order_by("-round").first()


def final_sheet(case_sheets) -> ScoreSheet | None:
    scored = [s for s in case_sheets if s.status == SheetStatus.SCORED]
    return max(scored, key=lambda s: s.round) if scored else None


def needs_second_review(sheet: ScoreSheet) -> bool:
    return (
        sheet.round == SheetRound.FIRST
        and sheet.status == SheetStatus.SCORED
        and (sheet.grade == Grade.FAIL or sheet.disputed)
    )


def may_score(user, case: Case, sheet: ScoreSheet | None) -> bool:
    if sits_in_unit(user, case):
        return False
    if sheet is not None and sheet.reviewer_id:
        return sheet.reviewer_id == getattr(user, "pk", None)
    return may_manage(user, case.review)


def check_score(user, case: Case, sheet: ScoreSheet | None) -> None:
    if sits_in_unit(user, case):
        raise PermissionDenied(f"您属于{case.unit.name}，不能评查本单位的案卷 {case.number}。")
    if not may_score(user, case, sheet):
        raise PermissionDenied(f"案卷 {case.number} 不是交由您评查的。")


@transaction.atomic
def sheet_score(
    *,
    acting_user,
    case: Case,
    deductions,
    vetoes=(),
    disputed: bool = False,
    comment: str = "",
    version: int | None = None,
) -> ScoreSheet:
    """Score the file's current sheet: the service computes total and grade. `version` is the
    version the reviewer saw; a save by someone else in between is refused."""
    if sits_in_unit(acting_user, case):
        raise PermissionDenied(f"您属于{case.unit.name}，不能评查本单位的案卷 {case.number}。")
    if not reachable_cases(acting_user).filter(pk=case.pk).exists():
        raise PermissionDenied(f"案卷 {case.number} 不是交由您评查的。")
    sheet = current_sheet(case)
    check_score(acting_user, case, sheet)
    if not case.sampled:
        raise ValidationError(f"案卷 {case.number} 未被抽中，不参加评查。")
    if not in_window(case.review, case.closed_on):
        raise ValidationError(f"案卷 {case.number} 的结案日期不在本次评查的范围内。")
    if sheet is None:
        sheet = ScoreSheet.objects.create(case=case, round=SheetRound.FIRST)
    if sheet.round == SheetRound.FIRST and case.sheets.filter(round=SheetRound.SECOND).exists():
        raise ValidationError(f"案卷 {case.number} 已进入复核，初评不能再修改。")
    result = scoring.compute(standard_for(case), list(deductions or []), list(vetoes or []))
    seen = sheet.version if version is None else int(version)
    updated = ScoreSheet.objects.filter(pk=sheet.pk, version=seen).update(
        version=F("version") + 1,
        status=SheetStatus.SCORED,
        total=result.total,
        grade=result.grade,
        vetoes=result.vetoes,
        disputed=bool(disputed),
        comment=(comment or "").strip(),
        reviewer=sheet.reviewer or stored_user(acting_user),
        updated_by=stored_user(acting_user),
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(
            f"案卷 {case.number} 的评查表已被他人修改，请刷新页面查看最新内容后再保存。"
        )
    sheet.refresh_from_db()
    sheet.deductions.all().delete()
    Deduction.objects.bulk_create(
        Deduction(
            sheet=sheet,
            item=line.item,
            count=line.count,
            points=line.points,
            reason=line.reason,
            page=line.page,
        )
        for line in result.lines
    )
    audit_record(
        acting_user=acting_user,
        action="casereview.score",
        target=case,
        region=case.review.region,
        summary=(
            f"案卷 {case.number} {sheet.get_round_display()}：{result.total} 分，{result.grade}"
            + ("（有争议）" if disputed else "")
        ),
        after={"deductions": len(result.lines), "vetoes": result.vetoes},
    )
    return sheet


# -- 整改通知单 → findings -------------------------------------------------------------------------


@transaction.atomic
def rectification_open(*, acting_user, review: CaseReview, deadline: date | None = None) -> list:
    """Open one finding per unit whose files lost points, in an inspection of the review's
    region kept for it (made the first time), through the inspections app's own service."""
    from fazhi.casereviews.selectors import unit_problems
    from fazhi.inspections import services as inspections
    from fazhi.inspections.models import FindingSource, InspectionKind

    check_manage(acting_user, review)
    review = CaseReview.objects.select_for_update().get(pk=review.pk)
    if review.inspection_id:
        raise ValidationError("本次评查的整改通知已经下发，问题已在法治督察中登记。")
    problems = unit_problems(review)
    if not problems:
        raise ValidationError("还没有扣分的案卷，无需下发整改通知。")
    inspection = inspections.inspection_create(
        acting_user=acting_user,
        region=review.region,
        name=f"{review.name}整改",
        kind=InspectionKind.SPECIAL,
        note=f"由案卷评查“{review.name}”的整改通知单生成。",
    )
    findings = [
        inspections.finding_open(
            acting_user=acting_user,
            inspection=inspection,
            source=FindingSource.CASE_REVIEW,
            source_ref=review.name[:100],
            description=entry["text"],
            responsible_unit=entry["unit"],
            requirement="对照评查标准逐项整改扣分问题，完善案卷，举一反三规范执法行为。",
            deadline=deadline,
        )
        for entry in problems
    ]
    review.inspection = inspection
    review.save(update_fields=["inspection"])
    audit_record(
        acting_user=acting_user,
        action="casereview.rectification",
        target=review,
        region=review.region,
        summary=f"下发整改通知：{len(findings)} 个单位的问题登记到“{inspection.name}”",
    )
    return findings


# -- the results as evidence --------------------------------------------------------------------


def evidence_items(user, review: CaseReview):
    """The campaign items the 通报 may go to as evidence: those the user sees in the review's
    region whose title speaks of case files (案卷) or enforcement (执法)."""
    from django.db.models import Q

    from fazhi.campaigns.models import Item

    return (
        Item.objects.visible_to(user)
        .filter(campaign__region__path__startswith=review.region.path)
        .filter(Q(title__contains="案卷") | Q(title__contains="执法"))
        .select_related("campaign")
        .order_by("campaign__name", "code")
    )


def report_as_evidence(*, acting_user, review: CaseReview, item):
    """The 评查结果通报 (Word) stored as a material of a campaign item — the 案卷评查 indicator's
    evidence — through the evidence app's own upload, with its rules."""
    from django.core.files.base import ContentFile

    from fazhi.casereviews import reports, selectors
    from fazhi.evidence.services import evidence_upload

    check_manage(acting_user, review)
    if not evidence_items(acting_user, review).filter(pk=item.pk).exists():
        raise ValidationError(f"{item.code} 不是本地区创建活动中与案卷评查相关的任务项。")
    report = selectors.review_report(user=acting_user, review=review)
    if not report["overall"]["scored"]:
        raise ValidationError("还没有评查完成的案卷，通报不能作为佐证材料。")
    overall = report["overall"]
    return evidence_upload(
        acting_user=acting_user,
        item=item,
        file=ContentFile(reports.report_docx(report), name=f"{review.name}评查结果通报.docx"),
        title=f"{review.name}评查结果通报",
        description=(
            f"抽查案卷 {overall['files']} 件，已评查 {overall['scored']} 件，平均得分 {overall['mean']} 分；"
            + "，".join(f"{g} {overall['grades'][g]} 件" for g in overall["grades"])
            + "。"
        ),
    )
