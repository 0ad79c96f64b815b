"""Writes of the exams app: bank imports (all or nothing, after a preview on the page), tests and
their blueprints, the roster and the random draw with its seed and codes. Sittings and grading
are in `sittings.py`. Each write is atomic and audited."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import can_write_at, is_editable
from fazhi.core.spreadsheets import ImportFailure
from fazhi.core.tempfiles import temp_dir
from fazhi.exams.bankfiles import read_bank_file
from fazhi.exams.models import (
    BankImport,
    Blueprint,
    Exam,
    ExamMode,
    Question,
    QuestionBank,
)
from fazhi.exams.papers import BlueprintError, compose, parse_blueprint, rules_to_json

DEFAULT_POINTS = {"single": 1, "multiple": 2, "judge": 1, "blank": 2, "essay": 10}


class ImportRefused(ValidationError):
    """A file with problems: nothing was stored; `problems` name rows or paragraphs."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


# -- question banks ------------------------------------------------------------------------


def check_bank_owner(acting_user, region) -> None:
    if not can_write_at(acting_user, QuestionBank, region=region):
        raise PermissionDenied("只有本地区的牵头部门可以管理题库。")


def read_upload(uploaded_file, *, prefix: str, reader):
    """Stream an upload to a temporary file (size-capped) and read it with `reader(path,
    filename)`; a file that cannot be read at all is a ValidationError."""
    filename = Path(uploaded_file.name or "upload.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            f"文件“{filename}”超过 {limit // (1024 * 1024)} MB，请检查是否选错了文件。"
        )
    with temp_dir(prefix) as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        try:
            return filename, reader(path, filename)
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc


def bank_import_preview(*, acting_user, region, name: str, uploaded_file) -> BankImport:
    """The questions read from an upload, kept as a draft: no question is stored yet."""
    check_bank_owner(acting_user, region)
    name = _bank_name(name)
    filename, reading = read_upload(
        uploaded_file, prefix="bank-", reader=lambda path, fn: read_bank_file(path, filename=fn)
    )
    return BankImport.objects.create(
        region=region,
        bank_name=name,
        source_name=filename[:255],
        created_by=stored_user(acting_user),
        result={
            "questions": [q.as_json() for q in reading.questions],
            "problems": reading.problems,
            "layout": reading.layout,
        },
    )


def bank_import_commit(*, acting_user, draft: BankImport) -> tuple[QuestionBank, int]:
    if draft.status != BankImport.Status.PREVIEW:
        raise ValidationError("该题库文件已经导入。")
    if draft.result.get("problems"):
        raise ValidationError("题库文件中还有错误，请修改后重新上传。")
    with transaction.atomic():
        draft = BankImport.objects.select_for_update().get(pk=draft.pk)
        if draft.status != BankImport.Status.PREVIEW:
            raise ValidationError("该题库文件已经导入。")
        result = bank_import(
            acting_user=acting_user,
            region=draft.region,
            name=draft.bank_name,
            questions=draft.result["questions"],
            source_name=draft.source_name,
        )
        draft.status = BankImport.Status.COMMITTED
        draft.save(update_fields=["status"])
    return result


def bank_import_file(*, acting_user, region, name: str, path: Path, filename: str):
    """The command line's import: no preview, so any problem refuses the whole file."""
    check_bank_owner(acting_user, region)
    reading = read_bank_file(path, filename=filename)
    if reading.problems:
        raise ImportRefused(reading.problems)
    return bank_import(
        acting_user=acting_user,
        region=region,
        name=name,
        questions=[q.as_json() for q in reading.questions],
        source_name=filename,
    )


@transaction.atomic
def bank_import(
    *, acting_user, region, name: str, questions: list[dict], source_name: str = ""
) -> tuple[QuestionBank, int]:
    """Add the questions to the region's bank of that name (made if new), all or none."""
    check_bank_owner(acting_user, region)
    name = _bank_name(name)
    if not questions:
        raise ValidationError("文件中没有读到试题。")
    bank, _ = QuestionBank.objects.get_or_create(
        region=region, name=name, defaults={"created_by": stored_user(acting_user)}
    )
    start = bank.questions.count()
    rows = [
        Question(
            bank=bank,
            position=start + index,
            kind=q["type"],
            stem=q["stem"],
            options=q["options"],
            answer=q["answer"],
            explanation=q.get("explanation", ""),
            basis=q.get("basis", "")[:500],
            category=q.get("category", "")[:100],
            difficulty=q.get("difficulty") or "medium",
            roles=q.get("roles") or [],
            valid_from=_day(q.get("valid_from")),
            valid_to=_day(q.get("valid_to")),
            source=f"{source_name[:60]} {q.get('where', '')}".strip()[:100],
        )
        for index, q in enumerate(questions, start=1)
    ]
    Question.objects.bulk_create(rows)
    audit_record(
        acting_user=acting_user,
        action="exam.bank_import",
        target=bank,
        region=region,
        after={"source": source_name, "questions": len(rows)},
    )
    return bank, len(rows)


def _bank_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写题库名称。"})
    if len(name) > 100:
        raise ValidationError({"name": "题库名称最长 100 个字。"})
    return name


def _day(text):
    return date.fromisoformat(text) if text else None


def active_questions(bank: QuestionBank, on: date) -> list[Question]:
    """The bank's questions in force on the day, in the bank's order (retired ones left out)."""
    questions = bank.questions.order_by("position", "id")
    return [
        q
        for q in questions
        if (q.valid_from is None or q.valid_from <= on) and (q.valid_to is None or q.valid_to >= on)
    ]


# -- tests and blueprints ------------------------------------------------------------------


def new_seed() -> str:
    return str(secrets.randbelow(10**9))


@transaction.atomic
def exam_create(
    *,
    acting_user,
    bank: QuestionBank,
    name: str,
    blueprints: dict[str, str],
    points: dict[str, Decimal] | None = None,
    mode: str = ExamMode.EXAM,
    duration_minutes: int = 60,
    pass_mark: Decimal = Decimal(60),
    fixed_paper: bool = False,
    partial_credit: bool = False,
    seed: str = "",
    opens_at=None,
    closes_at=None,
    attempts_allowed: int = 1,
    on: date | None = None,
) -> Exam:
    """A test over `bank`; `blueprints` maps a role ("" for everyone) to a blueprint such as
    "single:20,multiple:10,judge:10". Each blueprint must be fillable from the bank now."""
    check_bank_owner(acting_user, bank.region)
    if not (name or "").strip():
        raise ValidationError({"name": "请填写测试名称。"})
    if not blueprints:
        raise ValidationError({"blueprint": "请填写组卷规则。"})
    if closes_at and opens_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": "截止时间应晚于开考时间。"})
    exam = Exam.objects.create(
        region=bank.region,
        bank=bank,
        name=name.strip()[:200],
        mode=mode,
        fixed_paper=fixed_paper,
        partial_credit=partial_credit,
        seed=(seed or new_seed())[:40],
        duration_minutes=duration_minutes,
        pass_mark=pass_mark,
        opens_at=opens_at,
        closes_at=closes_at,
        attempts_allowed=max(1, attempts_allowed),
        created_by=stored_user(acting_user),
    )
    questions = active_questions(bank, on or timezone.localdate())
    point_map = {**DEFAULT_POINTS, **{k: float(v) for k, v in (points or {}).items()}}
    for role, text in blueprints.items():
        try:
            rules = parse_blueprint(text)
            suited = [q for q in questions if not role or not q.roles or role in q.roles]
            chosen = compose(suited, rules, exam.seed)
        except BlueprintError as exc:
            raise ValidationError({"blueprint": str(exc)}) from exc
        Blueprint.objects.create(
            exam=exam,
            role=role,
            rules=rules_to_json(rules),
            points=point_map,
            question_ids=[q.pk for q in chosen],
        )
    audit_record(
        acting_user=acting_user,
        action="exam.create",
        target=exam,
        region=exam.region,
        after={"bank": bank.name, "seed": exam.seed, "blueprints": blueprints},
    )
    return exam


def blueprint_for(exam: Exam, role: str) -> Blueprint:
    blueprints = {b.role: b for b in exam.blueprints.all()}
    found = blueprints.get(role) or blueprints.get("")
    if found is None:
        found = next(iter(blueprints.values()), None)
    if found is None:
        raise ValidationError("该测试还没有组卷规则。")
    return found


def paper_questions(blueprint: Blueprint) -> list[Question]:
    """The blueprint's questions as drawn when the test was set up, in the paper's type order."""
    by_id = Question.objects.in_bulk(blueprint.question_ids)
    return [by_id[pk] for pk in blueprint.question_ids if pk in by_id]


def check_exam_owner(acting_user, exam: Exam) -> None:
    if not is_editable(acting_user, Exam, exam.pk):
        raise PermissionDenied("只有组织测试的牵头部门可以执行此操作。")
