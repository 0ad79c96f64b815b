"""Importing the phone survey's call log: the table the call centre keeps, one row per call
(样本号 / 镇街 / 拨打结果 / 访问员 / 拨打时间), columns found by meaning, outcome words read as
the six codes, every problem named by row and column, all or nothing. 40,000 calls is the seed's
figure; they are checked first and then written in batches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.campaigns.tasklists_reading import best_column, text_of
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    ImportFailure,
    column_letter,
    normalise_header,
    read_workbook,
)
from fazhi.surveys.models import CallAttempt, Outcome, Wave
from fazhi.surveys.places import Places
from fazhi.surveys.reading import MAX_PROBLEMS
from fazhi.surveys.resultheader import ALIASES
from fazhi.surveys.scales import clean
from fazhi.surveys.services import ImportRefused, _check_owner

MAX_CALLS = 200_000
CALL_ALIASES = {
    "stratum": ALIASES["stratum"],
    "number": ("样本号", "样本编号", "电话号码", "号码", "电话", "手机号"),
    "outcome": ("拨打结果", "访问结果", "结果", "状态", "接通情况"),
    "interviewer": ("访问员", "调查员", "坐席", "工号"),
    "time": ("拨打时间", "访问时间", "时间", "日期"),
}
OUTCOME_WORDS = {
    "完成": Outcome.COMPLETED,
    "成功": Outcome.COMPLETED,
    "成功访问": Outcome.COMPLETED,
    "拒访": Outcome.REFUSED,
    "拒绝": Outcome.REFUSED,
    "拒接": Outcome.REFUSED,
    "无人接听": Outcome.NO_ANSWER,
    "未接通": Outcome.NO_ANSWER,
    "无应答": Outcome.NO_ANSWER,
    "空号": Outcome.INVALID,
    "停机": Outcome.INVALID,
    "空号停机": Outcome.INVALID,
    "非本地居民": Outcome.NOT_LOCAL,
    "非本地": Outcome.NOT_LOCAL,
    "约访": Outcome.APPOINTMENT,
    "预约": Outcome.APPOINTMENT,
    "预约再访": Outcome.APPOINTMENT,
}


@dataclass
class CallCheck:
    calls: list = field(default_factory=list)  # (stratum name, number, outcome, interviewer, time)
    problems: list[str] = field(default_factory=list)

    def problem(self, row: int, col: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"第 {row} 行 {column_letter(col)} 列：{message}")


def _header(sheet) -> tuple[int, dict[str, int]] | None:
    width = max((len(values) for values in sheet.rows[:HEADER_SCAN_ROWS]), default=0)
    for row in range(1, min(HEADER_SCAN_ROWS, sheet.row_count) + 1):
        texts = {col: normalise_header(sheet.value(row, col)) for col in range(1, width + 1)}
        columns: dict[str, int] = {}
        for exact in (True, False):
            for name, aliases in CALL_ALIASES.items():
                if name not in columns:
                    col = best_column(texts, aliases, set(columns.values()), exact=exact)
                    if col:
                        columns[name] = col
        if {"stratum", "number", "outcome"} <= columns.keys():
            return row, columns
    return None


def _when(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9))
    else:
        text = text_of(value).replace("/", "-")
        for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                # The call centre's local time: made aware in the site's time zone below.
                moment = dt.datetime.strptime(text, pattern)  # noqa: DTZ007
                break
            except ValueError:
                continue
        else:
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def check_calls(wave: Wave, path, *, filename: str | None = None) -> CallCheck:
    book = read_workbook(path, filename=filename, row_cap=MAX_CALLS)
    for sheet in book.sheets:
        found = _header(sheet)
        if found is not None:
            return _read(wave, sheet, *found)
    raise ImportFailure("没有找到拨打记录的表头：需要“样本号”“镇街”“拨打结果”三列")


def _read(wave: Wave, sheet, header_row: int, columns: dict[str, int]) -> CallCheck:
    check, places = CallCheck(), Places(wave)
    for row in range(header_row + 1, sheet.row_count + 1):
        values = {name: sheet.value(row, col) for name, col in columns.items()}
        texts = {name: text_of(value) for name, value in values.items()}
        if not any(texts.values()):
            continue
        place = places.resolve(texts["stratum"]) if texts["stratum"] else "没有填写镇街"
        if isinstance(place, str):
            check.problem(row, columns["stratum"], place)
            continue
        if place.new:
            check.problem(row, columns["stratum"], f"“{place.name}”不是本次测评的样本单元")
            continue
        if not texts["number"]:
            check.problem(row, columns["number"], "没有填写样本号")
            continue
        outcome = OUTCOME_WORDS.get(clean(texts["outcome"]))
        if outcome is None:
            check.problem(
                row,
                columns["outcome"],
                f"拨打结果“{texts['outcome']}”无法识别，应为完成、拒访、无人接听、空号/停机、非本地居民或约访",
            )
            continue
        moment = timezone.now()
        if "time" in columns and texts["time"]:
            moment = _when(values["time"])
            if moment is None:
                check.problem(row, columns["time"], f"拨打时间“{texts['time']}”无法识别")
                continue
        interviewer = texts.get("interviewer", "")[:60]
        check.calls.append((place.name, texts["number"][:40], outcome, interviewer, moment))
    if not check.calls and not check.problems:
        check.problems.append("表格中没有拨打记录")
    return check


def calls_import(*, acting_user, wave: Wave, path, filename: str) -> int:
    _check_owner(acting_user, wave.region)
    check = check_calls(wave, path, filename=filename)
    if check.problems:
        raise ImportRefused(check.problems)
    strata = {stratum.name: stratum.pk for stratum in wave.strata.all()}
    with transaction.atomic():
        CallAttempt.objects.bulk_create(
            (
                CallAttempt(
                    wave=wave,
                    stratum_id=strata[name],
                    sample_number=number,
                    outcome=outcome,
                    interviewer=interviewer,
                    called_at=moment,
                )
                for name, number, outcome, interviewer, moment in check.calls
            ),
            batch_size=5000,
        )
        audit_record(
            acting_user=acting_user,
            action="survey.calls_import",
            target=wave,
            summary=f"导入 {filename}",
            after={"file": filename, "created": len(check.calls)},
        )
    return len(check.calls)
