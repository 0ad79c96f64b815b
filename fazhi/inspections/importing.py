"""Importing a 问题清单: read the table (`findingtables`), match each unit name with the matcher
the campaigns use, and store every finding in one transaction, or none.

A unit name matched with certainty becomes the unit; any other is kept as written with the
matcher's candidates, never guessed. On the page the user settles those before confirming (the
preview, `FindingImport`); the command line has no one to ask, so it stores them as written and
says which rows to settle on the page."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.services import CERTAIN, unit_matcher_for
from fazhi.core.scoping import is_editable
from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.core.tempfiles import temp_dir
from fazhi.inspections.findingtables import FindingsReading, read_findings_table
from fazhi.inspections.models import (
    Finding,
    FindingImport,
    FindingSource,
    FindingStatus,
    Inspection,
)
from fazhi.inspections.services import category_named
from fazhi.orgs.models import Unit

MAX_ROWS = 5000


def read_findings_file(path: Path, *, filename: str, year: int) -> FindingsReading:
    """ImportFailure with a message for the user when the file cannot be read as a table."""
    book = read_workbook(Path(path), filename=filename, row_cap=MAX_ROWS)
    return read_findings_table(book, year=year)


def _year(inspection: Inspection) -> int:
    return (inspection.starts_on or timezone.localdate()).year


def matched_rows(inspection: Inspection, reading: FindingsReading) -> list[dict]:
    """The rows as JSON, each with its units matched: `unit_id` when sure, else `candidates`
    ([id, name] pairs) for the user to choose from."""
    matcher = unit_matcher_for(inspection.region)
    taken = set(inspection.findings.values_list("number", flat=True))
    rows = []
    for row in reading.rows:
        data = asdict(row)
        data["deadline"] = row.deadline.isoformat() if row.deadline else None
        data["taken"] = row.number in taken
        for key in ("responsible", "inspected"):
            text = data[key]
            found = matcher.match(text) if text else None
            sure = found is not None and found.confidence in CERTAIN and len(found.units) == 1
            data[f"{key}_id"] = found.units[0].pk if sure else None
            data[f"{key}_candidates"] = (
                []
                if sure or found is None
                else [[unit.pk, unit.name] for unit, _ in found.candidates]
            )
        rows.append(data)
    return rows


def row_problems(rows: list[dict]) -> list[str]:
    return [
        f"{_where(row, 'number')}：序号 {row['number']} 在本次督察中已存在"
        for row in rows
        if row["taken"]
    ]


def _where(row: dict, name: str) -> str:
    letter = row["columns"].get(name, "")
    return f"第 {row['row']} 行 {letter} 列" if letter else f"第 {row['row']} 行"


def check_importable(acting_user, inspection: Inspection) -> None:
    if not is_editable(acting_user, Inspection, inspection.pk):
        raise PermissionDenied("只有督察方可以导入问题清单。")


def findings_import_preview(*, acting_user, inspection: Inspection, uploaded_file) -> FindingImport:
    """Read an upload into a draft; nothing reaches the findings yet. A file that cannot be read
    at all is a ValidationError; problems in rows are in the draft."""
    check_importable(acting_user, inspection)
    filename = Path(uploaded_file.name or "问题清单.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            f"文件“{filename}”超过 {limit // (1024 * 1024)} MB，请检查是否选错了文件。"
        )
    with temp_dir("findings-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        try:
            reading = read_findings_file(path, filename=filename, year=_year(inspection))
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc
    rows = matched_rows(inspection, reading)
    problems = [str(p) for p in reading.problems] + row_problems(rows)
    return FindingImport.objects.create(
        inspection=inspection,
        created_by=stored_user(acting_user),
        source_name=filename[:255],
        result={"rows": rows, "problems": problems},
    )


@transaction.atomic
def findings_import(
    *,
    acting_user,
    inspection: Inspection,
    rows: list[dict],
    choices: dict[int, int] | None = None,
    source_name: str = "",
) -> list[Finding]:
    """Store the rows read as findings, all or none. `choices` maps a row number to the unit the
    user chose for its uncertain responsible unit."""
    check_importable(acting_user, inspection)
    choices = choices or {}
    problems = row_problems(rows)
    if problems:
        raise ValidationError(problems)
    region_units = Unit.objects.filter(region__path__startswith=inspection.region.path)
    units = region_units.in_bulk(
        [r[f"{k}_id"] for r in rows for k in ("responsible", "inspected") if r[f"{k}_id"]]
        + list(choices.values())
    )
    if set(choices.values()) - set(units):
        raise ValidationError("所选单位不在本次督察的地区范围内。")
    start = inspection.findings.count()
    findings = []
    for index, row in enumerate(rows, start=1):
        responsible = units.get(choices.get(row["row"]) or row["responsible_id"] or 0)
        findings.append(
            Finding(
                inspection=inspection,
                number=row["number"],
                position=start + index,
                category=category_named(inspection.region, row["category"], create=True),
                description=row["description"],
                inspected_unit=units.get(row["inspected_id"] or 0),
                inspected_text=row["inspected"][:200],
                responsible_unit=responsible,
                responsible_text=row["responsible"][:200],
                unit_candidates=[] if responsible else row["responsible_candidates"],
                leader=row["leader"],
                person=row["person"],
                requirement=row["requirement"],
                deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
                deadline_text=row["deadline_text"] or ("长期坚持" if row["long_term"] else ""),
                long_term=row["long_term"],
                status=FindingStatus.OPEN,
                source=FindingSource.IMPORT,
                source_ref=source_name[:100],
                created_by=stored_user(acting_user),
            )
        )
    created = Finding.objects.bulk_create(findings)
    audit_record(
        acting_user=acting_user,
        action="inspection.import",
        target=inspection,
        region=inspection.region,
        after={
            "source": source_name,
            "findings": len(created),
            "unresolved": sum(1 for f in created if f.responsible_unit_id is None),
        },
    )
    return created


def findings_import_commit(*, acting_user, draft: FindingImport, choices: dict[int, int]):
    """Confirm a draft: refused while its rows have problems; stored once."""
    if draft.status != FindingImport.Status.PREVIEW:
        raise ValidationError("该问题清单已经导入。")
    if draft.result.get("problems"):
        raise ValidationError("问题清单中还有错误，请修改表格后重新上传。")
    with transaction.atomic():
        draft = FindingImport.objects.select_for_update().get(pk=draft.pk)
        if draft.status != FindingImport.Status.PREVIEW:
            raise ValidationError("该问题清单已经导入。")
        created = findings_import(
            acting_user=acting_user,
            inspection=draft.inspection,
            rows=draft.result["rows"],
            choices=choices,
            source_name=draft.source_name,
        )
        draft.status = FindingImport.Status.COMMITTED
        draft.save(update_fields=["status"])
    return created
