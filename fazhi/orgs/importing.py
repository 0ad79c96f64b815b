"""Reading a unit list (单位名单) from Excel/CSV. Every problem is reported with its row and
column, and the caller stores nothing unless the whole file is clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fazhi.core.spreadsheets import ImportFailure, column_letter, normalise_header, read_workbook
from fazhi.core.tempfiles import temp_dir
from fazhi.orgs.models import UnitKind
from fazhi.orgs.selectors import regions_overseen

MAX_ROWS = 2000
HEADER_SCAN_ROWS = 10
COLUMN_SYNONYMS = {
    "name": ("单位名称", "单位全称", "部门名称", "名称", "单位"),
    "short_name": ("简称", "单位简称"),
    "kind": ("类型", "单位类型", "类别"),
    "region": ("区划代码", "行政区划代码", "所属区划", "区划", "所属地区"),
    "sort_order": ("排序", "序号", "顺序"),
}
KIND_WORDS = {
    "部门": UnitKind.DEPARTMENT,
    "镇": UnitKind.TOWN,
    "街道": UnitKind.TOWN,
    "镇街": UnitKind.TOWN,
    "乡": UnitKind.TOWN,
    "办公室": UnitKind.OFFICE,
    "议事": UnitKind.OFFICE,
    "其他": UnitKind.OTHER,
}


@dataclass
class UnitImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_units_file(upload, *, acting_user) -> UnitImportReport:
    report = UnitImportReport()
    with temp_dir("units-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            book = read_workbook(path, filename=upload.name, row_cap=MAX_ROWS)
        except ImportFailure as exc:
            report.errors.append(str(exc))
            return report
    sheet = next((s for s in book.sheets if not s.is_empty()), None)
    if sheet is None:
        report.errors.append("文件中没有任何数据。")
        return report
    if sheet.more_rows:
        report.errors.append(f"单位名单超过 {MAX_ROWS} 行，请分批导入。")
        return report
    header_row, columns = _find_header(sheet)
    if not columns.get("name") or not columns.get("region"):
        report.errors.append("没有找到表头：需要“单位名称”和“区划代码”（或“所属区划”）两列。")
        return report
    regions = {r.code: r for r in regions_overseen(user=acting_user)}
    regions_by_name = {r.name: r for r in regions.values()}
    for row in range(header_row + 1, sheet.row_count + 1):
        _read_row(sheet, row, columns, regions, regions_by_name, report)
    if not report.rows and not report.errors:
        report.errors.append("表头下面没有任何单位。")
    return report


def _find_header(sheet) -> tuple[int, dict[str, int]]:
    for row in range(1, min(HEADER_SCAN_ROWS, sheet.row_count) + 1):
        columns = {}
        for col, value in enumerate(sheet.rows[row - 1], start=1):
            text = normalise_header(value)
            for field_name, synonyms in COLUMN_SYNONYMS.items():
                if field_name not in columns and text in synonyms:
                    columns[field_name] = col
        if "name" in columns:
            return row, columns
    return 0, {}


def _cell(sheet, row: int, col: int | None) -> str:
    if not col:
        return ""
    value = sheet.value(row, col)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _read_row(sheet, row, columns, regions, regions_by_name, report) -> None:
    name = _cell(sheet, row, columns["name"])
    if not name:
        return  # spacer rows and notes below the table
    where = f"第 {row} 行"
    region_text = _cell(sheet, row, columns["region"])
    region = regions.get(region_text) or regions_by_name.get(region_text)
    if region is None:
        letter = column_letter(columns["region"])
        report.errors.append(
            f"{where} {letter} 列：区划 “{region_text}” 不存在，或不在您的管理范围内。"
        )
        return
    kind_text = _cell(sheet, row, columns.get("kind"))
    kind = (
        next((k for word, k in KIND_WORDS.items() if word in kind_text), None)
        if kind_text
        else UnitKind.DEPARTMENT
    )
    if kind is None:
        letter = column_letter(columns["kind"])
        report.errors.append(
            f"{where} {letter} 列：类型 “{kind_text}” 无法识别，应为 部门、镇街、办公室 或 其他。"
        )
        return
    sort_text = _cell(sheet, row, columns.get("sort_order"))
    if sort_text and not sort_text.isdigit():
        report.errors.append(
            f"{where} {column_letter(columns['sort_order'])} 列：排序 “{sort_text}” 应为整数。"
        )
        return
    if len(name) > 100:
        report.errors.append(f"{where}：单位名称超过 100 个字。")
        return
    if any(r["name"] == name and r["region"] == region for r in report.rows):
        report.errors.append(f"{where}：单位 “{name}” 在表中重复出现。")
        return
    report.rows.append(
        {
            "name": name,
            "region": region,
            "kind": kind,
            "short_name": _cell(sheet, row, columns.get("short_name"))[:60],
            "sort_order": int(sort_text) if sort_text else 0,
        }
    )
