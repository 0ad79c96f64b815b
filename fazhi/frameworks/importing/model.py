"""What an import produces: the parsed tree and a per-cell report of problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fazhi.frameworks.tree import total_points as tree_total_points

EVALUATION_METHODS = ("材料评审", "实地核查", "满意度测评", "法治能力测试", "案卷评查", "监测数据")

MAX_ISSUES = 200


@dataclass
class ImportIssue:
    level: str  # "error" | "warning"
    message: str  # Chinese, self-contained, names the place
    sheet: str | None = None
    row: int | None = None  # 1-based spreadsheet row
    column: str | None = None  # column letter, e.g. "E"
    field: str | None = None  # which field, e.g. "points"


@dataclass
class ParsedNode:
    code: str
    number: str
    title: str
    level: int
    parent_code: str | None
    points: Decimal | None
    description: str = ""
    scoring_rules: str = ""
    evaluation_methods: list[str] = field(default_factory=list)
    required_evidence: str = ""
    veto: bool = False
    lead_unit: str = ""
    responsible_units: list[str] = field(default_factory=list)
    deadline: str = ""
    sheet: str = ""
    row: int = 0


@dataclass
class ParsedFramework:
    nodes: list[ParsedNode]
    issues: list[ImportIssue]
    sheet: str = ""
    header_rows: list[int] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    source_format: str = ""

    @property
    def errors(self) -> list[ImportIssue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [issue for issue in self.issues if issue.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.nodes)

    def total_points(self) -> Decimal:
        rows = [
            {"code": n.code, "parent_code": n.parent_code, "level": n.level, "points": n.points}
            for n in self.nodes
        ]
        return tree_total_points(rows) or Decimal(0)


class ImportFailure(Exception):
    """The file cannot be read at all; the message is shown to the user as is."""


class IssueLog:
    """Collects issues up to a cap, so a broken 5,000-row file gives a readable report."""

    def __init__(self, sheet: str | None = None, limit: int = MAX_ISSUES):
        self.sheet = sheet
        self.limit = limit
        self._issues: list[ImportIssue] = []
        self._hidden_errors = 0
        self._hidden_warnings = 0

    def error(self, message: str, **place) -> None:
        self._add("error", message, place)

    def warning(self, message: str, **place) -> None:
        self._add("warning", message, place)

    def extend(self, issues: list[ImportIssue]) -> None:
        for issue in issues:
            self._add(
                issue.level,
                issue.message,
                {"row": issue.row, "column": issue.column, "field": issue.field},
            )

    def has_errors(self) -> bool:
        return self._hidden_errors > 0 or any(issue.level == "error" for issue in self._issues)

    def _add(self, level: str, message: str, place: dict) -> None:
        if len(self._issues) >= self.limit:
            if level == "error":
                self._hidden_errors += 1
            else:
                self._hidden_warnings += 1
            return
        place.setdefault("sheet", self.sheet)
        self._issues.append(ImportIssue(level, message, **place))

    def issues(self) -> list[ImportIssue]:
        hidden = self._hidden_errors + self._hidden_warnings
        if not hidden:
            return list(self._issues)
        level = "error" if self._hidden_errors else "warning"
        summary = ImportIssue(level, f"还有 {hidden} 个问题未列出", sheet=self.sheet)
        return [*self._issues, summary]
