"""Importing a work plan: upload → `plan_import_preview` (the file is read into a PlanImport
draft: areas, measures, problems, and the unit names the matcher is not sure of) → the user
answers each unsure name (a unit, the proposed units of a group, or keep as written) →
`plan_import_commit` stores the plan in one transaction, or nothing. The command line imports
without preview (`plan_import`): unsure names are kept as written.

Unit names go through the matcher the campaigns use: a name (or group, "各县区政府") matched with
certainty becomes its units; any other name is kept as written on the measure, unmatched, and
counted as unresolved — never guessed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.services import CERTAIN, unit_matcher_for
from fazhi.core.scoping import can_write_at
from fazhi.core.spreadsheets import ImportFailure
from fazhi.core.tempfiles import temp_dir
from fazhi.orgs.matching import UnitMatcher
from fazhi.orgs.models import Region, Unit
from fazhi.plans.models import (
    Measure,
    MeasureMilestone,
    MeasureRole,
    MeasureUnit,
    Plan,
    PlanArea,
    PlanImport,
)
from fazhi.plans.planfiles import MAX_PLAN_BYTES, read_plan_file
from fazhi.plans.planreading import Area, PlanReading, Problem
from fazhi.plans.planreading import Measure as MeasureReading

KEEP = "keep"  # the answer "保留原文，暂不对应"
ALL = "all"  # the answer "use the proposed units" of a vague group


@dataclass
class ImportedPlan:
    plan: Plan
    areas: int
    measures: int
    matched: int  # unit names matched to the org tree
    unresolved: int  # unit names kept as written

    @property
    def message(self) -> str:
        text = f"已导入工作计划“{self.plan}”：{self.areas} 个领域，{self.measures} 项措施"
        if self.unresolved:
            text += f"，{self.unresolved} 个单位名称保留原文、尚未对应到单位"
        return text


def check_plan_creatable(acting_user, region: Region) -> None:
    if not can_write_at(acting_user, Plan, region=region):
        raise PermissionDenied(f"您无权为 {region} 导入工作计划。")


def default_name(region: Region, year: int, reading: PlanReading) -> str:
    return (reading.title or f"{region.name}{year}年法治政府建设工作要点").strip()[:200]


# -- preview ---------------------------------------------------------------------------------


def plan_import_preview(
    *, acting_user, region: Region, year: int, name: str, uploaded_file
) -> PlanImport:
    """Read an uploaded plan into a preview draft. A file that cannot be read at all is a
    ValidationError; problems inside it are in the preview."""
    check_plan_creatable(acting_user, region)
    filename = Path(uploaded_file.name or "plan.docx").name
    with temp_dir("plan-") as folder:
        path = folder / ("upload" + Path(filename).suffix.lower()[:10])
        _save_upload(uploaded_file, path, filename)
        try:
            reading = read_plan_file(path, filename=filename, year=year)
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc
    matcher = unit_matcher_for(region)
    return PlanImport.objects.create(
        region=region,
        year=year,
        name=(name or "").strip()[:200] or default_name(region, year, reading),
        source_filename=filename[:255],
        created_by=stored_user(acting_user),
        result={"reading": reading_as_json(reading), "names": unsure_names(reading, matcher)},
    )


def _save_upload(upload, path: Path, filename: str) -> None:
    """Copy in chunks, counting: the declared size of an upload is not to be trusted."""
    limit = min(MAX_PLAN_BYTES, settings.FAZHI_IMPORT_MAX_BYTES)
    written = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > limit:
                raise ValidationError(
                    f"文件“{filename}”超过 {limit // (1024 * 1024)} MB，工作计划通常不到 1 MB，"
                    "请检查是否选错了文件。"
                )
            out.write(chunk)


def reading_as_json(reading: PlanReading) -> dict:
    data = asdict(reading)
    for area in data["areas"]:
        for measure in area["measures"]:
            measure["deadline"] = measure["deadline"].isoformat() if measure["deadline"] else None
    return data


def reading_from_json(data: dict) -> PlanReading:
    areas = []
    for area in data["areas"]:
        measures = [
            MeasureReading(
                **{
                    **measure,
                    "deadline": date.fromisoformat(measure["deadline"])
                    if measure["deadline"]
                    else None,
                }
            )
            for measure in area["measures"]
        ]
        areas.append(Area(**{**area, "measures": measures}))
    return PlanReading(
        year=data["year"],
        title=data["title"],
        areas=areas,
        problems=[Problem(**problem) for problem in data["problems"]],
    )


def unsure_names(reading: PlanReading, matcher: UnitMatcher) -> list[dict]:
    """Each distinct unit name the matcher is not sure of, once, with where it appears."""
    names: dict[str, dict] = {}
    for measure in reading.measures:
        for text in measure.lead_names + measure.responsible_names:
            found = matcher.match(text)
            if found.confidence in CERTAIN and found.units:
                continue
            entry = names.setdefault(
                text,
                {
                    "key": str(len(names) + 1),
                    "text": text,
                    "note": found.note,
                    "candidates": [[unit.pk, unit.name, score] for unit, score in found.candidates],
                    "proposed": [unit.pk for unit in found.units] if found.is_group else [],
                    "measures": [],
                },
            )
            if measure.code not in entry["measures"]:
                entry["measures"].append(measure.code)
    return list(names.values())


# -- commit ----------------------------------------------------------------------------------


@transaction.atomic
def plan_import_commit(
    *, acting_user, draft: PlanImport, answers: Mapping[str, str]
) -> ImportedPlan:
    """Store a previewed plan, all of it or nothing. `answers` maps each unsure name's key to a
    unit id, "all" (the proposed units of a group) or "keep" (kept as written, unmatched)."""
    draft = PlanImport.objects.select_for_update().select_related("region").get(pk=draft.pk)
    if draft.status != PlanImport.Status.PREVIEW:
        raise ValidationError("该导入已经确认或取消过了，请重新上传。")
    region = draft.region
    chosen = _chosen_units(draft.result.get("names", []), answers, region)
    imported = plan_import(
        acting_user=acting_user,
        region=region,
        year=draft.year,
        name=draft.name,
        reading=reading_from_json(draft.result["reading"]),
        source_name=draft.source_filename,
        chosen=chosen,
    )
    draft.status, draft.plan = PlanImport.Status.COMMITTED, imported.plan
    draft.save(update_fields=["status", "plan"])
    return imported


def plan_import_cancel(*, acting_user, draft: PlanImport) -> None:
    check_plan_creatable(acting_user, draft.region)
    PlanImport.objects.filter(pk=draft.pk, status=PlanImport.Status.PREVIEW).update(
        status=PlanImport.Status.CANCELLED
    )


def _chosen_units(names: list[dict], answers: Mapping[str, str], region: Region) -> dict:
    """Name text → the units the user chose for it (empty: kept as written)."""
    allowed = Unit.objects.filter(region__path__startswith=region.path, is_active=True)
    units = {unit.pk: unit for unit in allowed}
    chosen: dict[str, list[Unit]] = {}
    for name in names:
        answer = str(answers.get(name["key"]) or KEEP)
        if answer == KEEP:
            continue
        if answer == ALL:
            chosen[name["text"]] = [units[pk] for pk in name["proposed"] if pk in units]
        elif answer.isdigit() and int(answer) in units:
            chosen[name["text"]] = [units[int(answer)]]
        else:
            raise ValidationError(
                f"“{name['text']}”选择的单位不在 {region} 的单位名单中，请重新选择。"
            )
    return chosen


def plan_import(
    *,
    acting_user,
    region: Region,
    year: int,
    name: str,
    reading: PlanReading,
    source_name: str = "",
    chosen: Mapping[str, list[Unit]] | None = None,
) -> ImportedPlan:
    """Store the plan read; refused whole when the reading has problems. `chosen` gives the
    units the user picked for names the matcher was not sure of."""
    with transaction.atomic():
        return _store_plan(acting_user, region, year, name, reading, source_name, chosen or {})


def _store_plan(acting_user, region, year, name, reading, source_name, chosen) -> ImportedPlan:
    check_plan_creatable(acting_user, region)
    name = (name or "").strip()[:200] or default_name(region, year, reading)
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
    units = _UnitChoices(unit_matcher_for(region), chosen)
    for position, area_reading in enumerate(reading.areas):
        area = PlanArea.objects.create(
            plan=plan, code=area_reading.code, title=area_reading.title[:300], position=position
        )
        for index, measure_reading in enumerate(area_reading.measures):
            measure = _store_measure(plan, area, index, measure_reading)
            MeasureUnit.objects.bulk_create(units.rows_for(measure, measure_reading))
    imported = ImportedPlan(
        plan=plan,
        areas=len(reading.areas),
        measures=len(reading.measures),
        matched=units.matched,
        unresolved=units.unresolved,
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
    measure = Measure.objects.create(
        plan=plan,
        area=area,
        code=reading.code,
        title=reading.title,
        detail=reading.detail,
        deadline=reading.deadline,
        deadline_text=reading.deadline_text[:100],
        position=position,
    )
    MeasureMilestone.objects.bulk_create(
        MeasureMilestone(measure=measure, due_by=date.fromisoformat(due), target=target)
        for due, target in sorted(reading.milestones.items())
    )
    return measure


class _UnitChoices:
    """The MeasureUnit rows of each measure, counting names matched and kept as written."""

    def __init__(self, matcher: UnitMatcher, chosen: Mapping[str, list[Unit]]):
        self.matcher = matcher
        self.chosen = chosen
        self.matched = 0
        self.unresolved = 0

    def rows_for(self, measure: Measure, reading: MeasureReading) -> list[MeasureUnit]:
        rows: list[MeasureUnit] = []
        seen: set[int] = set()
        named = [(MeasureRole.LEAD, name) for name in reading.lead_names] + [
            (MeasureRole.RESPONSIBLE, name) for name in reading.responsible_names
        ]
        for role, name in named:
            units, is_group = self._units_for(name)
            if not units:
                rows.append(MeasureUnit(measure=measure, name_text=name[:200], role=role))
                self.unresolved += 1
                continue
            self.matched += 1
            # A group ("各县区政府") gives responsible units; only a single named unit leads.
            unit_role = MeasureRole.RESPONSIBLE if is_group else role
            for unit in units:
                if unit.pk not in seen:
                    seen.add(unit.pk)
                    rows.append(
                        MeasureUnit(measure=measure, unit=unit, name_text=unit.name, role=unit_role)
                    )
        for position, row in enumerate(rows):
            row.position = position
        return rows

    def _units_for(self, name: str) -> tuple[list[Unit], bool]:
        if name in self.chosen:
            units = self.chosen[name]
            return units, len(units) > 1
        found = self.matcher.match(name)
        if found.confidence in CERTAIN and found.units:
            return list(found.units), found.is_group
        return [], False
