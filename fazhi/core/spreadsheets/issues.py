"""Reporting problems in an imported table: each issue names its sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ISSUES = 200


def column_letter(number: int) -> str:
    """A column's letters as Excel shows them, 1 → A, 28 → AB: openpyxl's get_column_letter,
    without importing openpyxl into every process that reads a table's header."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class ImportIssue:
    level: str  # "error" | "warning"
    message: str  # Chinese, self-contained, names the place
    sheet: str | None = None
    row: int | None = None  # 1-based spreadsheet row
    column: str | None = None  # column letter, e.g. "E"
    field: str | None = None  # which field, e.g. "points"


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
