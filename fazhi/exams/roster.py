"""The roster (参考人员名单) and 抽考: import the people of the units (姓名, 单位, 人员类别, 手机或
身份证后四位; columns found by meaning), draw N or a share of each unit and role at random with
a recorded seed, and give each person drawn a one-time code to sit with (no account)."""

from __future__ import annotations

import math
import random
import re
import secrets
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.services import CERTAIN, unit_matcher_for
from fazhi.campaigns.tasklists_reading import best_column, text_of
from fazhi.core.spreadsheets import HEADER_SCAN_ROWS, GridWorkbook, normalise_header, read_workbook
from fazhi.exams.models import Candidate, Draw, Exam
from fazhi.exams.questionparts import clean, roles_of
from fazhi.exams.services import ImportRefused, check_exam_owner, new_seed

ALIASES = {
    "name": ("姓名", "考生姓名", "人员姓名", "名字"),
    "role": ("人员类别", "人员类型", "类别", "岗位类别", "身份", "考试类别", "职级类别"),
    "unit": ("单位", "工作单位", "所在单位", "单位名称", "部门", "所在部门"),
    "contact": (
        "手机号后四位",
        "身份证后四位",
        "手机号码",
        "手机号",
        "手机",
        "联系电话",
        "身份证号",
        "身份证号码",
        "证件号码",
    ),
}
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def read_roster(book: GridWorkbook) -> tuple[list[dict], list[str]]:
    for sheet in book.sheets:
        last = min(HEADER_SCAN_ROWS, sheet.row_count)
        width = max((len(values) for values in sheet.rows[:last]), default=0)
        for header in range(1, last + 1):
            texts = {c: normalise_header(sheet.value(header, c)) for c in range(1, width + 1)}
            columns: dict[str, int] = {}
            for name, aliases in ALIASES.items():
                col = best_column(texts, aliases, set(columns.values()), exact=False)
                if col:
                    columns[name] = col
            if {"name", "unit"} <= columns.keys():
                return _roster_rows(sheet, header, columns)
    return [], ["没有找到名单表头：需要“姓名”和“单位”两列（以及“人员类别”）"]


def _roster_rows(sheet, header: int, columns: dict[str, int]):
    rows, problems = [], []
    for row in range(header + 1, sheet.row_count + 1):

        def cell(name, row=row):
            return clean(text_of(sheet.value(row, columns[name]))) if name in columns else ""

        name, unit, role_text = cell("name"), cell("unit"), cell("role")
        if not (name or unit or role_text):
            continue
        where = f"第 {row} 行"
        if not name:
            problems.append(f"{where}：缺少姓名")
        if not unit:
            problems.append(f"{where}：{name or '该人员'}缺少单位")
        roles = roles_of(role_text)
        if not role_text:
            problems.append(
                f"{where}：{name or '该人员'}缺少人员类别（领导干部、公务员、行政执法人员）"
            )
        elif len(roles) != 1:
            problems.append(
                f"{where}：人员类别“{role_text}”无法识别（领导干部、公务员、行政执法人员）"
            )
        digits = re.sub(r"[^0-9Xx]", "", cell("contact"))
        rows.append(
            {
                "row": row,
                "name": name,
                "unit": unit,
                "role": roles[0] if roles else "",
                "tail": digits[-4:].upper(),
            }
        )
    if not rows and not problems:
        problems.append(f"第 {header} 行以下没有读到人员")
    return rows, problems


def roster_import_file(*, acting_user, exam: Exam, path, filename: str) -> int:
    book = read_workbook(path, filename=filename, row_cap=50000)
    rows, problems = read_roster(book)
    if problems:
        raise ImportRefused(problems)
    return roster_import(acting_user=acting_user, exam=exam, rows=rows, source_name=filename)


@transaction.atomic
def roster_import(*, acting_user, exam: Exam, rows: list[dict], source_name: str = "") -> int:
    check_exam_owner(acting_user, exam)
    matcher = unit_matcher_for(exam.region)
    start = exam.candidates.count()
    people = []
    for index, row in enumerate(rows, start=1):
        found = matcher.match(row["unit"])
        sure = found is not None and found.confidence in CERTAIN and len(found.units) == 1
        people.append(
            Candidate(
                exam=exam,
                name=row["name"][:50],
                unit=found.units[0] if sure else None,
                unit_text=row["unit"][:200],
                role=row["role"],
                contact_tail=row["tail"],
                row=start + index,
            )
        )
    Candidate.objects.bulk_create(people)
    audit_record(
        acting_user=acting_user,
        action="exam.roster_import",
        target=exam,
        region=exam.region,
        after={"source": source_name, "people": len(people)},
    )
    return len(people)


@transaction.atomic
def candidates_draw(
    *, acting_user, exam: Exam, count: int | None = None, percent: int | None = None, seed: str = ""
) -> Draw:
    """Draw from each unit's people of each role who were not drawn before: `count` each, or
    `percent` of each group (rounded up). The same seed over the same roster draws the same
    people."""
    check_exam_owner(acting_user, exam)
    if (count is None) == (percent is None):
        raise ValidationError("请填写每组抽取人数或抽取比例（二选一）。")
    if count is not None and count <= 0:
        raise ValidationError("每组抽取人数应大于 0。")
    if percent is not None and not 0 < percent <= 100:
        raise ValidationError("抽取比例应在 1 到 100 之间。")
    seed = (seed or new_seed())[:40]
    groups = defaultdict(list)
    for person in exam.candidates.filter(draw__isnull=True).order_by("row", "id"):
        # A matched unit is one group however its name was written; an unmatched one by its text.
        unit_key = (person.unit_id, "") if person.unit_id else (0, person.unit_text)
        groups[(*unit_key, person.role)].append(person)
    if not groups:
        raise ValidationError("名单中没有尚未抽取的人员，请先导入名单。")
    rng = random.Random(f"draw:{seed}")
    drawn = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2])):
        people = groups[key]
        size = count if count is not None else math.ceil(len(people) * percent / 100)
        drawn.extend(rng.sample(people, min(size, len(people))))
    draw = Draw.objects.create(
        exam=exam,
        seed=seed,
        count=count,
        percent=percent,
        drawn=len(drawn),
        created_by=stored_user(acting_user),
    )
    taken = set(Candidate.objects.exclude(code=None).values_list("code", flat=True))
    for person in drawn:
        person.draw = draw
        person.code = _new_code(taken)
    Candidate.objects.bulk_update(drawn, ["draw", "code"])
    audit_record(
        acting_user=acting_user,
        action="exam.draw",
        target=exam,
        region=exam.region,
        after={"seed": seed, "count": count, "percent": percent, "drawn": len(drawn)},
    )
    return draw


def _new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code
