"""Framework exports and the edition comparison, as pure functions over selector output."""

from __future__ import annotations

import io

from fazhi.core.downloads import XLSX_CONTENT_TYPE
from fazhi.frameworks import formats
from fazhi.frameworks.diff import FrameworkDiff, diff_frameworks
from fazhi.frameworks.diff_xlsx import diff_to_xlsx
from fazhi.frameworks.selectors import framework_rows


def export_framework(framework, rows: list[dict], fmt: str) -> tuple[bytes | str, str, str] | None:
    """(body, content type, file suffix) for yaml, json or xlsx; None for anything else."""
    if fmt == "yaml":
        return (
            formats.dump_yaml(formats.framework_document(framework, rows)),
            "application/yaml; charset=utf-8",
            "yaml",
        )
    if fmt == "json":
        return (
            formats.dump_json(formats.framework_document(framework, rows)),
            "application/json; charset=utf-8",
            "json",
        )
    if fmt == "xlsx":
        buffer = io.BytesIO()
        formats.write_xlsx(framework, rows, buffer)
        return buffer.getvalue(), XLSX_CONTENT_TYPE, "xlsx"
    return None


def compare(old, new) -> FrameworkDiff:
    return diff_frameworks(framework_rows(framework=old), framework_rows(framework=new))


def diff_xlsx(diff: FrameworkDiff, stream, *, old, new) -> None:
    diff_to_xlsx(diff, stream, old_label=str(old), new_label=str(new))


def diff_entry_json(entry) -> dict:
    def brief(node):
        return (
            None
            if node is None
            else {"code": node["code"], "title": node["title"], "level": node["level"]}
        )

    return {
        "kind": entry.kind,
        "moved": entry.moved,
        "old": brief(entry.old),
        "new": brief(entry.new),
        "changes": [
            {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in entry.changes
        ],
    }


def _plain(value):
    return (
        str(value)
        if value is not None and not isinstance(value, (str, int, float, bool, list))
        else value
    )
