"""Importing a figures table: read it (`figuretables`), find each row's reporter in the org tree
(a region by code or name, else a unit by code or by the matcher the campaigns use), and keep the
result as a draft. Nothing reaches the figures before the lead office confirms a draft without
problems; then every row is stored in one transaction (a figure already there is corrected, its
old counts kept as a revision), or none is."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.services import CERTAIN, unit_matcher_for
from fazhi.core.scoping import can_write_at
from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.core.tempfiles import temp_dir
from fazhi.monitoring.figuretables import FiguresReading, MetricName, read_figures_table
from fazhi.monitoring.models import Figure, FigureImport, FigureSource, FigureStatus
from fazhi.monitoring.selectors import metrics_for
from fazhi.monitoring.services import figure_put
from fazhi.orgs.models import Region, Unit

MAX_ROWS = 5000


def check_importer(acting_user, region: Region) -> None:
    if not can_write_at(acting_user, FigureImport, region=region):
        raise PermissionDenied("只有本地区的牵头科室（依法治办）可以导入监测数据。")


def read_figures_file(path: Path, *, filename: str, region: Region | None, period: str | None):
    """ImportFailure when the file cannot be read as a table at all."""
    book = read_workbook(Path(path), filename=filename, row_cap=MAX_ROWS)
    names = [
        MetricName(m.code, m.name, m.numerator, m.denominator)
        for m in metrics_for(region, active_only=True)
    ]
    reading = read_figures_table(book, metrics=names, period=period)
    reading.warnings[:0] = [issue.message for issue in book.issues if issue.level == "warning"]
    reading.problems[:0] = [issue.message for issue in book.issues if issue.level == "error"]
    return reading


class Reporters:
    """Finds the region or unit a row names, inside `region`'s subtree (the whole tree for the
    command line's system actor, when no region is given)."""

    def __init__(self, region: Region | None):
        self.region = region
        prefix = region.path if region else ""
        self.regions = Region.objects.filter(path__startswith=prefix)
        self.units = Unit.objects.filter(region__path__startswith=prefix, is_active=True)
        self._matcher = unit_matcher_for(region) if region else None
        self._by_name = {}
        for found in self.regions:
            self._by_name.setdefault(found.name, []).append(found)

    def find(self, text: str, code: str) -> tuple[Region | None, Unit | None, str]:
        """(region, unit or None, problem)."""
        if code or text.strip().isdigit():  # a code written in the name column
            return self._by_code((code or text).strip())
        regions = self._by_name.get(text.strip(), [])
        if len(regions) == 1:
            return regions[0], None, ""
        if len(regions) > 1:
            return None, None, f"地区“{text}”有重名，请填写区划代码"
        unit = self._unit_named(text)
        if unit is None:
            where = f"（{self.region.name}）" if self.region else ""
            return None, None, f"“{text}”不是本地区{where}的地区或单位"
        return unit.region, unit, ""

    def _by_code(self, code: str):
        region = Region.objects.filter(code=code).first()
        unit = Unit.objects.filter(code=code).select_related("region").first()
        if region is None and unit is None:
            return None, None, f"代码“{code}”不存在（既不是区划代码，也不是单位编码）"
        place = region or unit.region
        if self.region and not place.path.startswith(self.region.path):
            return None, None, f"代码“{code}”（{region or unit}）不在{self.region.name}范围内"
        return (region, None, "") if region else (unit.region, unit, "")

    def _unit_named(self, text: str) -> Unit | None:
        exact = [u for u in self.units if text in (u.name, u.short_name)]
        if len(exact) == 1:
            return exact[0]
        if self._matcher is None:
            return None
        found = self._matcher.match(text)
        if found.confidence in CERTAIN and len(found.units) == 1:
            return found.units[0]
        return None


def resolved_rows(reading: FiguresReading, region: Region | None) -> tuple[list[dict], list[str]]:
    """The rows as JSON with `region_id`/`unit_id` and, for a figure already stored with other
    counts, `previous`; and the problems of rows whose reporter is not found."""
    reporters = Reporters(region)
    rows, problems = [], []
    for row in reading.rows:
        found_region, unit, problem = reporters.find(row.target, row.target_code)
        if problem:
            column = "code" if row.target_code else "target"
            problems.append(f"{row.where(column)}：{problem}")
            continue
        data = asdict(row)
        data.update(
            region_id=found_region.pk,
            unit_id=unit.pk if unit else None,
            reporter=unit.name if unit else f"{found_region.name}（本级）",
            previous=_previous(found_region, unit, row.metric, row.period),
        )
        rows.append(data)
    return rows, problems


def _previous(region, unit, metric: str, period: str) -> list[int] | None:
    figure = _current(region.pk, unit.pk if unit else None, metric, period)
    return [figure.numerator, figure.denominator] if figure else None


def _current(region_id: int, unit_id: int | None, metric: str, period: str) -> Figure | None:
    figures = Figure.objects.filter(metric_code=metric, period=period)
    if unit_id:
        return figures.filter(unit_id=unit_id).first()
    return figures.filter(region_id=region_id, unit__isnull=True).first()


def figures_import_preview(
    *, acting_user, region: Region, uploaded_file, period: str | None = None
) -> FigureImport:
    """Read an upload into a draft; nothing reaches the figures yet."""
    check_importer(acting_user, region)
    filename = Path(uploaded_file.name or "监测数据.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            f"文件“{filename}”超过 {limit // (1024 * 1024)} MB，请检查是否选错了文件。"
        )
    with temp_dir("figures-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        try:
            reading = read_figures_file(path, filename=filename, region=region, period=period)
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc
    return FigureImport.objects.create(
        region=region,
        created_by=stored_user(acting_user),
        source_name=filename[:255],
        result=draft_result(reading, region),
    )


def draft_result(reading: FiguresReading, region: Region | None) -> dict:
    rows, problems = resolved_rows(reading, region)
    return {
        "layout": reading.layout,
        "periods": reading.periods,
        "rows": rows,
        "problems": reading.problems + problems,
        "warnings": reading.warnings,
    }


@transaction.atomic
def figures_store(*, acting_user, region: Region | None, rows: list[dict], source_name: str):
    """Store the rows as confirmed figures, all or none; (stored, corrected)."""
    if region is not None:
        check_importer(acting_user, region)
    stored = corrected = 0
    for row in rows:
        _, changed = figure_put(
            acting_user=acting_user,
            region=Region.objects.get(pk=row["region_id"]),
            unit=Unit.objects.get(pk=row["unit_id"]) if row["unit_id"] else None,
            metric_code=row["metric"],
            period=row["period"],
            numerator=row["numerator"],
            denominator=row["denominator"],
            source=FigureSource.IMPORT,
            source_ref=source_name[:255],
            status=FigureStatus.CONFIRMED,
            reason=f"导入“{source_name}”更正",
            audit=False,
        )
        stored += 1
        corrected += changed
    audit_record(
        acting_user=acting_user,
        action="monitoring.import",
        target=region,
        region=region,
        summary=f"导入监测数据“{source_name}”：{stored} 条，其中更正 {corrected} 条",
        after={"source": source_name, "figures": stored, "corrected": corrected},
    )
    return stored, corrected


def figures_import_commit(*, acting_user, draft: FigureImport) -> tuple[int, int]:
    """Confirm a draft: refused while it has problems; stored once."""
    check_importer(acting_user, draft.region)
    if draft.result.get("problems"):
        raise ValidationError("表格中还有错误，请修改后重新上传；没有导入任何数据。")
    with transaction.atomic():
        draft = FigureImport.objects.select_for_update().get(pk=draft.pk)
        if draft.status != FigureImport.Status.PREVIEW:
            raise ValidationError("该表格已经导入。")
        counts = figures_store(
            acting_user=acting_user,
            region=draft.region,
            rows=draft.result["rows"],
            source_name=draft.source_name,
        )
        draft.status = FigureImport.Status.COMMITTED
        draft.save(update_fields=["status"])
    return counts
