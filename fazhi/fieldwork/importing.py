"""Reading field and survey scores from the table the evaluators hand in (实地评估、满意度测评得分
汇总表). The header row is found by its names, wherever it sits under the title rows, and a
header cell merged down from the row above counts. Every problem names its row and column; the
caller stores nothing unless the whole file is clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError

from fazhi.core.spreadsheets import HEADER_SCAN_ROWS, ImportFailure, normalise_header, read_workbook
from fazhi.core.tempfiles import temp_dir
from fazhi.fieldwork.models import Applicant, Evaluation
from fazhi.fieldwork.selectors import applicant_label
from fazhi.fieldwork.services import parse_score

MAX_ROWS = 3000
# Header names after normalise_header (no spaces or punctuation), best first. A header that
# starts with one of them counts too: “实地评估得分（满分100分）”.
COLUMN_NAMES = {
    "name": (
        "地区",
        "申报地区",
        "申报单位",
        "被评估地区",
        "被评估单位",
        "地区名称",
        "县市区",
        "单位名称",
        "单位",
        "申报活动",
        "创建活动",
        "名称",
    ),
    "field_score": (
        "实地评估得分",
        "实地评估",
        "实地评估分数",
        "实地评估成绩",
        "实地考核得分",
        "实地核查得分",
    ),
    "survey_score": (
        "满意度测评得分",
        "满意度测评",
        "满意度得分",
        "群众满意度测评得分",
        "群众满意度",
        "公众满意度",
        "满意度",
    ),
}
CANONICAL = {"name": "地区", "field_score": "实地评估得分", "survey_score": "满意度测评得分"}
SUMMARY_ROWS = {"合计", "总计", "小计", "平均", "平均分", "平均值"}
MISSING_HEADER = (
    "没有找到表头：需要“地区”（或“申报单位”“申报活动”）一列，"
    "以及“实地评估得分”或“满意度测评得分”中至少一列。"
)


@dataclass
class ScoreRow:
    row: int
    applicant: Applicant
    values: dict[str, Decimal | None]


@dataclass
class ScoresReport:
    rows: list[ScoreRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # field → 1-based column
    titles: dict[str, str]  # field → the header text as the file writes it


def parse_scores_file(upload, *, evaluation: Evaluation, applicants: list[Applicant]):
    report = ScoresReport()
    try:
        book = _read(upload)
    except ImportFailure as exc:
        report.errors.append(str(exc))
        return report
    found = next(
        ((sheet, header) for sheet in book.sheets if (header := _find_header(sheet))), None
    )
    if found is None:
        report.errors.append(MISSING_HEADER)
        return report
    sheet, header = found
    if sheet.more_rows:
        report.errors.append(f"工作表“{sheet.name}”超过 {MAX_ROWS} 行，请检查是否选错了文件。")
        return report
    matcher = _Matcher(evaluation, applicants)
    seen: dict[int, int] = {}
    for row in range(header.row + 1, sheet.row_count + 1):
        _read_row(sheet, row, header, matcher, seen, report)
    if not report.rows and not report.errors:
        report.errors.append("表头下面没有任何得分。")
    return report


def _read(upload):
    with temp_dir("scores-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return read_workbook(path, filename=upload.name, row_cap=MAX_ROWS)


def _header_text(sheet, row: int, col: int) -> tuple[str, str]:
    """The header cell's text, or that of the merged range it lies in (a name merged down over
    two header rows, a group title merged across)."""
    value = sheet.value(row, col)
    merge = sheet.merge_at(row, col)
    if value is None and merge is not None:
        value = sheet.value(merge.min_row, merge.min_col)
    text = str(value).strip() if value is not None else ""
    return normalise_header(text), text


def _field_of(text: str, taken: dict[str, int]) -> str | None:
    for name, synonyms in COLUMN_NAMES.items():
        if name not in taken and any(text == s for s in synonyms):
            return name
    for name, synonyms in COLUMN_NAMES.items():
        if name not in taken and any(text.startswith(s) for s in synonyms):
            return name
    return None


def _find_header(sheet) -> Header | None:
    for row in range(1, min(HEADER_SCAN_ROWS, sheet.row_count) + 1):
        width = len(sheet.rows[row - 1])
        columns, titles = {}, {}
        for col in range(1, width + 1):
            text, shown = _header_text(sheet, row, col)
            name = _field_of(text, columns) if text else None
            if name:
                columns[name], titles[name] = col, shown
        if "name" in columns and ({"field_score", "survey_score"} & set(columns)):
            return Header(row, columns, titles)
    return None


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


class _Matcher:
    """Finds the applicant a row means by its region's name (“市中区”), its full name
    (“枣庄市市中区”), its code, or the campaign's name; a name two applicants share is refused
    rather than guessed."""

    def __init__(self, evaluation: Evaluation, applicants: list[Applicant]):
        self.by_key: dict[str, set[int]] = {}
        self.applicants = {a.pk: a for a in applicants}
        for applicant in applicants:
            region = applicant.campaign.region
            names = {
                applicant.campaign.name,
                region.name,
                region.code,
                applicant_label(evaluation, applicant.campaign),
                f"{region.parent.name}{region.name}" if region.parent else region.name,
            }
            for name in names:
                self.by_key.setdefault(normalise_header(name), set()).add(applicant.pk)

    def find(self, text: str) -> list[Applicant]:
        return [self.applicants[pk] for pk in sorted(self.by_key.get(normalise_header(text), ()))]


def _read_row(sheet, row: int, header: Header, matcher: _Matcher, seen: dict, report) -> None:
    name_title = header.titles["name"] or CANONICAL["name"]
    name = _text(sheet.value(row, header.columns["name"]))
    cells = {
        key: (col, sheet.value(row, col))
        for key, col in header.columns.items()
        if key in ("field_score", "survey_score")
    }
    filled = {key: value for key, (_, value) in cells.items() if _text(value)}
    formulas = {
        key for key, (col, value) in cells.items() if value is None and (row, col) in sheet.formulas
    }
    where = f"第{row}行"
    if not filled and not formulas:
        return  # spacer rows, notes, applicants not scored yet
    if normalise_header(name) in SUMMARY_ROWS:
        return
    if not name:
        report.errors.append(f"{where}“{name_title}”：没有填写，无法对应到申报对象。")
        return
    found = matcher.find(name)
    if not found:
        report.errors.append(
            f"{where}“{name_title}”：“{name}”不是本次评估的申报对象"
            "（请填写地区名称、地区全称或申报活动名称）。"
        )
        return
    if len(found) > 1:
        report.errors.append(
            f"{where}“{name_title}”：“{name}”对应多个申报对象"
            f"（{'、'.join(str(a.campaign) for a in found)}），请填写地区全称或申报活动名称。"
        )
        return
    applicant = found[0]
    if applicant.pk in seen:
        report.errors.append(
            f"{where}“{name_title}”：“{name}”与第{seen[applicant.pk]}行是同一申报对象。"
        )
        return
    seen[applicant.pk] = row
    values, ok = {}, True
    for key in cells:
        title = header.titles[key] or CANONICAL[key]
        if key in formulas:
            report.errors.append(
                f"{where}“{title}”：公式没有计算结果，请在 Excel 中打开并保存后再导入。"
            )
            ok = False
            continue
        try:
            values[key] = parse_score(filled.get(key), title)
        except ValidationError as exc:
            report.errors.append(f"{where}{exc.messages[0]}")
            ok = False
    if ok:
        report.rows.append(ScoreRow(row, applicant, values))
