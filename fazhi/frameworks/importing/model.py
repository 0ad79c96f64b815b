"""What an import produces: the parsed tree and a per-cell report of problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fazhi.core.spreadsheets.issues import ImportFailure, ImportIssue, IssueLog
from fazhi.frameworks.tree import total_points as tree_total_points

EVALUATION_METHODS = ("材料评审", "实地核查", "满意度测评", "法治能力测试", "案卷评查", "监测数据")


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


__all__ = [
    "EVALUATION_METHODS",
    "ImportFailure",
    "ImportIssue",
    "IssueLog",
    "ParsedFramework",
    "ParsedNode",
]
