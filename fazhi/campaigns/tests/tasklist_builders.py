"""A small campaign for the task list tests, and the spreadsheets the tests import.

The framework has two areas, two groups and three indicators (codes 1.1.1, 1.1.2, 2.1.3), with
the lead and responsible units written the way framework tables write them. The campaign is
市中区's, so its units are those of the `tree` fixture plus the ones added here."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from openpyxl import Workbook, load_workbook

from fazhi.accounts.system import SYSTEM
from fazhi.campaigns.models import Campaign
from fazhi.campaigns.services import campaign_create
from fazhi.frameworks.services import framework_create
from fazhi.orgs.models import Unit, UnitKind

FRAMEWORK_ROWS = [
    {"code": "1", "title": "依法全面履行政府职能", "level": 1, "parent_code": None, "points": 20},
    {"code": "1.1", "title": "推进政府机构职能优化", "level": 2, "parent_code": "1", "points": 20},
    {
        "code": "1.1.1",
        "title": "权责清单动态调整",
        "level": 3,
        "parent_code": "1.1",
        "points": 10,
        "lead_unit": "区司法局",
        "responsible_units": ["区市场监管局"],
        "deadline": "2025年6月底前",
    },
    {
        "code": "1.1.2",
        "title": "市场准入负面清单",
        "level": 3,
        "parent_code": "1.1",
        "points": 10,
        "lead_unit": "区市场监管局",
        "responsible_units": [],
        "deadline": "",
    },
    {"code": "2", "title": "健全依法行政制度体系", "level": 1, "parent_code": None, "points": 5},
    {"code": "2.1", "title": "规范性文件管理", "level": 2, "parent_code": "2", "points": 5},
    {
        "code": "2.1.3",
        "title": "规范性文件合法性审核",
        "level": 3,
        "parent_code": "2.1",
        "points": 5,
        "lead_unit": "区司法局",
        "responsible_units": ["各镇街"],
        "deadline": "",
    },
]


def extra_units(tree) -> SimpleNamespace:
    """Two more units in 市中区: a department and a second town."""
    return SimpleNamespace(
        jiaoti=Unit.objects.create(
            region=tree.szq,
            code="370402-jtj",
            name="市中区教育和体育局",
            short_name="区教体局",
            sort_order=5,
        ),
        guangming=Unit.objects.create(
            region=tree.town,
            code="370402002-gml",
            name="光明路街道办事处",
            short_name="光明路街道",
            kind=UnitKind.TOWN,
            sort_order=9,
        ),
    )


def make_campaign(tree, *, name: str = "市中区创建全国法治政府建设示范区") -> Campaign:
    framework = framework_create(
        acting_user=SYSTEM, name="测试指标体系", edition=name, rows=FRAMEWORK_ROWS
    )
    return campaign_create(
        acting_user=SYSTEM,
        framework=framework,
        region=tree.szq,
        name=name,
        period_start=date(2024, 1, 1),
        period_end=date(2025, 12, 31),
    )


HEADER = ["编码", "指标/细化指标内容", "分值", "牵头单位", "责任单位", "完成时限"]


def save_rows(
    path: Path, rows: list[list], *, merges: tuple[str, ...] = (), title: str | None = "任务清单"
) -> Path:
    """A task list as a lead office would send it: a title row, then the header and rows.
    Merges are Excel ranges with the value in the top-left cell only."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def open_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def sheet_values(content: bytes) -> list[list]:
    return [list(row) for row in open_sheet(content).iter_rows(values_only=True)]
