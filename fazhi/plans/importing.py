"""Importing a work plan from the file the government circulates: a Word document (.docx, and
.doc/.wps through LibreOffice, read by the evidence store's text extraction) or a table (.xlsx,
.xls, .csv, read by the shared table reader). A Word document that holds the plan as a table is
read as a table.

`read_plan_file` gives a PlanReading with problems tied to paragraphs or rows; `plan_import`
stores it in one transaction, or nothing. Unit names go through the matcher the campaigns use:
a name (or group, "各县区政府") matched with certainty becomes its units; any other name is kept
as written on the measure, unmatched, and counted — never guessed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.services import CERTAIN, unit_matcher_for
from fazhi.core.scoping import can_write_at
from fazhi.core.spreadsheets import GridWorkbook, ImportFailure, SheetGrid, read_workbook
from fazhi.evidence.extraction import ExtractionError, libreoffice
from fazhi.evidence.extraction.sniff import content_kind
from fazhi.evidence.extraction.text import TextOutput
from fazhi.evidence.extraction.word import read_docx
from fazhi.orgs.matching import UnitMatcher
from fazhi.orgs.models import Region
from fazhi.plans.models import Measure, MeasureRole, MeasureUnit, Plan, PlanArea
from fazhi.plans.planreading import Measure as MeasureReading
from fazhi.plans.planreading import PlanReading, read_plan_lines
from fazhi.plans.plantables import read_plan_table

MAX_PLAN_BYTES = 20 * 1024 * 1024
MAX_TABLE_ROWS = 5000
MAX_DOCUMENT_CHARS = 2_000_000
DOCUMENT_KINDS = {"docx", "doc", "wps"}
TABLE_KINDS = {"xlsx", "xls", "et", "csv"}


def read_plan_file(path: Path, *, filename: str, year: int) -> PlanReading:
    """The plan in the file; ImportFailure with a message for the user when it cannot be read."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_PLAN_BYTES:
        raise ImportFailure(
            f"文件大小 {size / 1024 / 1024:.1f} MB，超过工作计划导入上限"
            f" {MAX_PLAN_BYTES // 1024 // 1024} MB；工作计划通常不到 1 MB，请检查是否选错了文件。"
        )
    suffix = Path(filename).suffix.lower().lstrip(".")
    try:
        content = content_kind(path)  # refuses Office packages that unpack too large
    except ExtractionError as exc:
        raise ImportFailure(str(exc)) from exc
    if suffix in TABLE_KINDS or content in ("xlsx", "xls"):
        book = read_workbook(path, filename=filename, row_cap=MAX_TABLE_ROWS)
        return read_plan_table(book, year=year)
    if suffix not in DOCUMENT_KINDS:
        raise ImportFailure(
            "请上传 Word（.docx、.doc、.wps）或表格（.xlsx、.xls、.csv）格式的工作计划。"
        )
    if content == "pdf":
        raise ImportFailure(
            f"文件扩展名为 .{suffix}，但内容是 PDF；请上传 Word 原稿（.docx、.doc、.wps）或表格。"
        )
    return _read_document(_document_lines(path, suffix, content), year)


def _document_lines(path: Path, suffix: str, content: str | None) -> list[str]:
    """The paragraphs and table rows (cells joined by tabs) of a Word document, as written:
    not the evidence store's tidied text, which turns the tabs of table rows into spaces."""
    out = TextOutput(MAX_DOCUMENT_CHARS)
    name = suffix.upper()
    try:
        if content == "docx":
            read_docx(path, out)
        elif content == "doc":
            with libreoffice.converted(path, "doc", shown_as=suffix) as modern:
                read_docx(modern, out)
        else:
            raise ImportFailure(f"{name} 文件已损坏或不是 Word 格式，无法读取。")
    except (ImportFailure, ExtractionError) as exc:
        raise ImportFailure(str(exc)) from exc
    except Exception as exc:  # python-docx and lxml fail in many ways on damaged files
        raise ImportFailure(f"{name} 文件已损坏或格式异常，无法读取。") from exc
    return out.text().split("\n")


def _read_document(lines: list[str], year: int) -> PlanReading:
    reading = read_plan_lines(lines, year=year)
    table = [line.split("\t") for line in lines if "\t" in line]
    if reading.measures or not table:
        return reading
    # No numbered paragraphs, but a table: the plan is the table (a 任务分解表 in Word).
    grid = GridWorkbook([SheetGrid(name="文档中的表格", rows=table)], source_format="docx")
    from_table = read_plan_table(grid, year=year)
    from_table.title = reading.title or from_table.title
    return from_table if from_table.measures else reading


# -- storing ---------------------------------------------------------------------------------


@dataclass
class ImportedPlan:
    plan: Plan
    areas: int
    measures: int
    matched: int  # unit names matched to the org tree
    unresolved: int  # unit names kept as written


def check_plan_creatable(acting_user, region: Region) -> None:
    if not can_write_at(acting_user, Plan, region=region):
        raise PermissionDenied(f"您无权为 {region} 导入工作计划。")


@transaction.atomic
def plan_import(
    *,
    acting_user,
    region: Region,
    year: int,
    name: str,
    reading: PlanReading,
    source_name: str = "",
) -> ImportedPlan:
    """Store the plan read; refused whole when the reading has problems."""
    check_plan_creatable(acting_user, region)
    name = (name or reading.title or f"{region.name}{year}年法治政府建设工作计划").strip()[:200]
    if reading.problems:
        raise ValidationError([str(problem) for problem in reading.problems])
    if not reading.measures:
        raise ValidationError("文件中没有读到任何工作任务。")
    if Plan.objects.filter(region=region, year=year, name=name).exists():
        raise ValidationError({"name": f"{region} {year} 年已有名为“{name}”的工作计划。"})
    plan = Plan.objects.create(
        region=region,
        year=year,
        name=name,
        source_name=source_name[:255],
        created_by=stored_user(acting_user),
    )
    matcher = unit_matcher_for(region)
    counts = {"matched": 0, "unresolved": 0}
    for position, area_reading in enumerate(reading.areas):
        area = PlanArea.objects.create(
            plan=plan, code=area_reading.code, title=area_reading.title[:300], position=position
        )
        for index, measure_reading in enumerate(area_reading.measures):
            measure = _store_measure(plan, area, index, measure_reading)
            _store_units(measure, measure_reading, matcher, counts)
    imported = ImportedPlan(
        plan=plan, areas=len(reading.areas), measures=len(reading.measures), **counts
    )
    audit_record(
        acting_user=acting_user,
        action="plan.import",
        target=plan,
        after={
            "name": plan.name,
            "year": year,
            "region": region.code,
            "areas": imported.areas,
            "measures": imported.measures,
            "unresolved": imported.unresolved,
        },
    )
    return imported


def _store_measure(plan: Plan, area: PlanArea, position: int, reading: MeasureReading) -> Measure:
    return Measure.objects.create(
        plan=plan,
        area=area,
        code=reading.code,
        title=reading.title,
        detail=reading.detail,
        deadline=reading.deadline,
        deadline_text=reading.deadline_text[:100],
        position=position,
    )


def _store_units(measure: Measure, reading: MeasureReading, matcher: UnitMatcher, counts) -> None:
    rows: list[MeasureUnit] = []
    seen: set[int] = set()
    named = [(MeasureRole.LEAD, name) for name in reading.lead_names] + [
        (MeasureRole.RESPONSIBLE, name) for name in reading.responsible_names
    ]
    for role, name in named:
        found = matcher.match(name)
        if found.confidence not in CERTAIN or not found.units:
            rows.append(MeasureUnit(measure=measure, name_text=name[:200], role=role))
            counts["unresolved"] += 1
            continue
        counts["matched"] += 1
        # A group ("各县区政府") gives responsible units; only a single named unit leads.
        unit_role = role if not found.is_group else MeasureRole.RESPONSIBLE
        for unit in found.units:
            if unit.pk not in seen:
                seen.add(unit.pk)
                rows.append(
                    MeasureUnit(measure=measure, unit=unit, name_text=unit.name, role=unit_role)
                )
    for position, row in enumerate(rows):
        row.position = position
    MeasureUnit.objects.bulk_create(rows)
