"""Writes of the survey app: waves and their strata, confirmed imports of third-party tables,
public questionnaire responses, and phone calls. Each admin write is atomic and audited; a public
response is not audited (it is the data, anonymous, and the audit chain's lock would cap the
questionnaire's throughput), the invitation it used is its record."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.core.scoping import can_write_at
from fazhi.core.spreadsheets import ImportFailure
from fazhi.orgs.models import Unit, UnitKind
from fazhi.surveys import questionnaire, reading
from fazhi.surveys.models import (
    NO_ANSWER,
    AnswerCount,
    CallAttempt,
    Invitation,
    Item,
    Outcome,
    Respondent,
    Source,
    Stratum,
    SurveyImport,
    Wave,
)
from fazhi.surveys.scales import Scale, clean

BATCH = 5000


def _check_owner(user, region) -> None:
    if not can_write_at(user, Wave, region=region):
        raise PermissionDenied("只有本地区（或上级）的依法治办管理员可以管理满意度测评。")


def wave_create(
    *,
    acting_user,
    region,
    name: str,
    year: int,
    per_stratum: int = 100,
    items: list[str] | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Wave:
    """A wave with one stratum per active town (镇街) unit of the region, each with the target
    `per_stratum`, and the given items."""
    _check_owner(acting_user, region)
    name = name.strip()
    if not name:
        raise ValidationError("请填写测评名称。")
    if per_stratum < 1:
        raise ValidationError("每个样本单元的目标样本数至少为 1。")
    if Wave.objects.filter(region=region, year=year, name=name).exists():
        raise ValidationError(f"{region.name}{year} 年已有名为“{name}”的测评。")
    with transaction.atomic():
        wave = Wave.objects.create(
            region=region,
            year=year,
            name=name,
            default_target=per_stratum,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        towns = Unit.objects.filter(
            region__path__startswith=region.path, kind=UnitKind.TOWN, is_active=True
        ).order_by("region__path", "sort_order", "name")
        Stratum.objects.bulk_create(
            Stratum(wave=wave, unit=unit, name=unit.display_name, target=per_stratum, position=i)
            for i, unit in enumerate(towns)
        )
        Item.objects.bulk_create(
            Item(wave=wave, title=title.strip(), position=i)
            for i, title in enumerate(dict.fromkeys(t for t in items or [] if t.strip()))
        )
        audit_record(
            acting_user=acting_user,
            action="survey.create",
            target=wave,
            after={"name": name, "year": year, "strata": len(towns), "items": len(items or [])},
        )
    return wave


# -- third-party tables ------------------------------------------------------------------------


@dataclass
class Imported:
    survey_import: SurveyImport
    respondents: int
    counts: int
    new_strata: int
    new_items: int


def survey_import_check(*, acting_user, wave: Wave, path, filename: str | None = None):
    """Read the table and report what it holds and what is wrong; stores nothing."""
    _check_owner(acting_user, wave.region)
    return reading.check_table(wave, path, filename=filename, scale=_scale(wave))


def _scale(wave: Wave) -> Scale:
    return Scale.of(wave.scale, wave.aliases)


class ImportRefused(ImportFailure):
    """A table with problems: `problems` lists each, as the check reports them."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def survey_import(*, acting_user, wave: Wave, path, filename: str) -> Imported:
    """Store a table in one pass, all or nothing: its rows are checked while they are stored in
    batches inside one transaction, which is rolled back (ImportRefused listing every problem)
    when the check finds anything wrong. New items and strata are added as the rows name them."""
    _check_owner(acting_user, wave.region)
    scale = _scale(wave)
    with transaction.atomic():
        Wave.objects.select_for_update().filter(pk=wave.pk).first()
        check, rows = reading.read_rows(wave, path, filename=filename, scale=scale)
        record = SurveyImport.objects.create(
            wave=wave,
            source_name=filename[:255],
            layout=check.layout,
            created_by=_user(acting_user),
        )
        store = _Store(wave, record)
        if check.layout == "respondents":
            stored = store.respondents(rows, check)
        else:
            stored = store.counts(rows)
        problems = check.all_problems()
        if not problems and not check.rows:
            problems = ["表格中没有可导入的数据行。"]
        if problems:
            transaction.set_rollback(True)
            raise ImportRefused(problems)
        record.respondents = sum(check.respondents.values())
        record.answers = stored
        record.save(update_fields=["respondents", "answers"])
        audit_record(
            acting_user=acting_user,
            action="survey.import",
            target=wave,
            summary=f"导入 {filename}",
            after={
                "file": filename,
                "layout": check.layout,
                "respondents": record.respondents,
                "created": len(check.new_strata) + len(check.new_items),
            },
        )
    return Imported(record, record.respondents, stored, len(check.new_strata), len(check.new_items))


def _user(user):
    return user if getattr(user, "pk", None) else None


class _Store:
    """Rows of one import into the database: strata and items found (or added) by name as the
    rows name them, respondents written in batches."""

    def __init__(self, wave: Wave, record: SurveyImport):
        self.wave, self.record = wave, record
        self.strata = {(st.name, st.respondent_type): st for st in wave.strata.all()}
        self.items = {clean(item.title): item for item in wave.items.all()}
        self.item_count = len(self.items)
        self.stratum_count = len(self.strata)

    def stratum(self, place, kind: str) -> Stratum:
        found = self.strata.get((place.name, kind)) or self.strata.get((place.name, ""))
        if found is None:  # matched in the org tree, not yet a stratum of the wave
            found = Stratum.objects.create(
                wave=self.wave,
                unit_id=place.unit_id,
                name=place.name,
                target=self.wave.default_target,
                position=self.stratum_count,
            )
            self.stratum_count += 1
            self.strata[(place.name, "")] = found
        return found

    def item(self, title: str) -> Item:
        found = self.items.get(clean(title))
        if found is None:
            found = Item.objects.create(wave=self.wave, title=title, position=self.item_count)
            self.item_count += 1
            self.items[clean(title)] = found
        return found

    def respondents(self, rows, check) -> int:
        batch, stored, positions = [], 0, None
        for place, kind, answers in rows:
            if positions is None:  # the table's items are known from its header on
                for title in check.items:
                    self.item(title)
                order = sorted(self.items.values(), key=lambda item: item.position)
                positions = {clean(item.title): i for i, item in enumerate(order)}
            if check.problems or check.unmapped:
                continue  # refused at the end: read on only to report every problem
            chars = [NO_ANSWER] * len(positions)
            for title, choice in answers.items():
                chars[positions[clean(title)]] = str(choice)
            stratum = self.stratum(place, kind)
            batch.append((self.wave.pk, stratum.pk, kind, "".join(chars)))
            if len(batch) >= BATCH:
                stored += self._insert(batch)
                batch = []
        return stored + self._insert(batch)

    def _insert(self, batch: list[tuple]) -> int:
        """Respondent rows as plain tuples in one executemany: building 100,000 model objects
        for bulk_create cost more than reading the table."""
        if not batch:
            return 0
        table = Respondent._meta.db_table
        now = timezone.now()
        columns = "wave_id, stratum_id, respondent_type, source, survey_import_id, ref, answers, created_at"
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                [
                    (wave, stratum, kind, Source.IMPORT.value, self.record.pk, "", answers, now)
                    for wave, stratum, kind, answers in batch
                ],
            )
        return len(batch)

    def counts(self, rows) -> int:
        merged: dict[tuple, int] = {}
        for place, kind, title, choice, count in rows:
            key = (self.stratum(place, kind).pk, kind, self.item(title).pk, choice)
            merged[key] = merged.get(key, 0) + count
        AnswerCount.objects.bulk_create(
            AnswerCount(
                wave=self.wave,
                stratum_id=stratum_id,
                respondent_type=kind,
                item_id=item_id,
                choice=choice,
                count=count,
                survey_import=self.record,
            )
            for (stratum_id, kind, item_id, choice), count in merged.items()
        )
        return sum(merged.values())


def aliases_add(*, acting_user, wave: Wave, mapping: dict[str, str]) -> Wave:
    """Words users confirmed for the wave's answers (还行 → 基本满意)."""
    _check_owner(acting_user, wave.region)
    labels = {clean(choice["label"]): choice["label"] for choice in wave.scale}
    for word, label in mapping.items():
        if clean(label) not in labels:
            raise ValidationError(
                f"“{label}”不是本次测评的答案选项（{'、'.join(labels.values())}）。"
            )
        if not clean(word):
            raise ValidationError("别名不能为空。")
    with transaction.atomic():
        wave.aliases = {
            **wave.aliases,
            **{w.strip(): labels[clean(lab)] for w, lab in mapping.items()},
        }
        wave.save(update_fields=["aliases"])
        audit_record(acting_user=acting_user, action="survey.aliases", target=wave, after=mapping)
    return wave


# -- the public questionnaire ------------------------------------------------------------------


class Refused(Exception):
    """A public request turned down; the message is shown to the respondent as is."""


OPEN_SALT = "fazhi.surveys.open-token"
FORGED = "问卷链接无效：请扫描样本单元的二维码重新打开问卷。"
SPENT = "这份问卷已经提交过，每份问卷只能提交一次。感谢您的参与。"
FLOOD = "来自您所在网络的提交过于频繁，请稍后再试。"
_signer = signing.Signer(salt=OPEN_SALT)


def open_token(stratum: Stratum | int) -> str:
    """The single-use token of one person opening the stratum's questionnaire (its QR code). It
    is signed rather than stored: opening the page writes nothing, and the response that uses it
    is the only row it ever makes (its uniqueness refuses a second)."""
    pk = stratum if isinstance(stratum, int) else stratum.pk
    return _signer.sign(f"{pk}.{secrets.token_urlsafe(12)}")


def response_submit_open(
    *, stratum: Stratum, token: str, answers: dict[int, int], address: str | None
) -> int:
    """Store one response to the stratum's open questionnaire; returns its id."""
    status = questionnaire.status_by_key(stratum.key)
    return questionnaire_submit(status=status, token=token, answers=answers, address=address)


def questionnaire_submit(
    *, status: questionnaire.Status, token: str, answers: dict[int, int], address: str | None
) -> int:
    """One response to a stratum's open questionnaire (the page behind its QR code), as the
    stratum stands (`questionnaire.status_by_key`). Refused: a token not signed here or for
    another stratum (forged), a token used before, a closed or full stratum, a flood from one
    address. Returns the new response's id."""
    try:
        value = _signer.unsign(token)
    except signing.BadSignature as exc:
        raise Refused(FORGED) from exc
    if value.split(".", 1)[0] != str(status.stratum_id):
        raise Refused(FORGED)
    form = questionnaire.form_of(status)
    if reason := questionnaire.refusal(status, form):
        raise Refused(reason)
    return _store_response(status, form, token, _encode(form, answers), address)


def response_submit(*, token: str, answers: dict[int, int], address: str | None = None) -> int:
    """Store one response on a printed invitation (`invitations_issue`); returns its id."""
    invitation = Invitation.objects.select_related("stratum").filter(token=token).first()
    if invitation is None:
        raise Refused(FORGED)
    if invitation.used_at is not None:
        raise Refused(SPENT)
    status = questionnaire.status_by_key(invitation.stratum.key)
    form = questionnaire.form_of(status)
    if reason := questionnaire.refusal(status, form):
        raise Refused(reason)
    answers_text = _encode(form, answers)
    # The invitation is spent by the one UPDATE that finds it unused.
    with transaction.atomic():
        spent = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not spent:
            raise Refused(SPENT)
        return _store_response(status, form, token, answers_text, address)


def _encode(form: questionnaire.Form, answers: dict[int, int]) -> str:
    """`answers` maps item ids to scale indexes; an item left unanswered is the scale's
    not-counted answer (不清楚)."""
    if all(answers.get(pk) is None for pk in form.item_ids):
        raise Refused("请至少回答一道题后再提交。")
    chars = []
    for pk in form.item_ids:
        choice = answers.get(pk)
        if choice is not None and not 0 <= choice < form.choices:
            raise Refused(f"“{form.titles[pk]}”的答案无效。")
        chars.append(str(form.blank if choice is None else choice))
    return "".join(chars)


# One response as written: the stratum counted and the row added in one statement, so that two
# submissions to the last place of a quota cannot both be stored (PostgreSQL locks the stratum
# first; SQLite's writers queue for its one write lock anyway).
_LOCK_STRATUM = "SELECT id FROM surveys_stratum WHERE id = %s FOR UPDATE"
_INSERT_RESPONSE = """
INSERT INTO surveys_respondent
    (wave_id, stratum_id, respondent_type, source, survey_import_id, ref, token, answers, created_at)
SELECT %s, %s, %s, %s, NULL, '', %s, %s, %s
WHERE (SELECT COUNT(*) FROM surveys_respondent WHERE stratum_id = %s) < %s
RETURNING id
"""


def _store_response(status, form, token: str, answers_text: str, address) -> int:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    row = [status.wave_id, status.stratum_id, status.respondent_type, Source.ONLINE.value]
    row += [token, answers_text, now, status.stratum_id, status.target]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _throttle(cursor, address)
            if connection.features.has_select_for_update:
                cursor.execute(_LOCK_STRATUM, [status.stratum_id])
            cursor.execute(_INSERT_RESPONSE, row)
            stored = cursor.fetchone()
            if stored is None:
                raise Refused(f"{form.label}的样本已收满，问卷已关闭，感谢您的支持。")
            return stored[0]
    except IntegrityError as exc:  # the token's response is already there
        raise Refused(SPENT) from exc


# Counted per source address in the database, so that every web process counts the same, in
# one upsert: a new address starts at 1, an expired window starts again at 1.
_THROTTLE = """
INSERT INTO surveys_submissionthrottle (ip_address, count, window_started) VALUES (%s, 1, %s)
ON CONFLICT (ip_address) DO UPDATE SET
    count = CASE WHEN surveys_submissionthrottle.window_started < %s THEN 1
                 ELSE surveys_submissionthrottle.count + 1 END,
    window_started = CASE WHEN surveys_submissionthrottle.window_started < %s THEN %s
                          ELSE surveys_submissionthrottle.window_started END
RETURNING count
"""


def _throttle(cursor, address: str | None) -> None:
    """At most FAZHI_SURVEY_RATE_LIMIT responses from one address in FAZHI_SURVEY_RATE_WINDOW
    seconds: a village office behind one address still gets through, a script filling in the
    form does not. The count is raised inside the response's transaction, so a refused response
    (the flood's own included) does not count."""
    if not address:
        return
    limit = getattr(settings, "FAZHI_SURVEY_RATE_LIMIT", 60)
    window = getattr(settings, "FAZHI_SURVEY_RATE_WINDOW", 600)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    started, expired = adapt(now), adapt(now - dt.timedelta(seconds=window))
    cursor.execute(_THROTTLE, [address, started, expired, expired, started])
    if cursor.fetchone()[0] > limit:
        raise Refused(FLOOD)


def invitations_issue(*, acting_user, stratum: Stratum, count: int) -> list[Invitation]:
    """Invitations printed for sampled households: each link admits one response."""
    _check_owner(acting_user, stratum.wave.region)
    if not 1 <= count <= 10_000:
        raise ValidationError("一次可生成 1 至 10000 份邀请。")
    with transaction.atomic():
        made = Invitation.objects.bulk_create(Invitation(stratum=stratum) for _ in range(count))
        audit_record(
            acting_user=acting_user,
            action="survey.invitations",
            target=stratum.wave,
            after={"stratum": str(stratum), "count": count},
        )
    return made


# -- the phone survey --------------------------------------------------------------------------


def call_record(
    *,
    acting_user,
    stratum: Stratum,
    sample_number: str,
    outcome: str,
    interviewer: str = "",
    called_at: dt.datetime | None = None,
) -> CallAttempt:
    _check_owner(acting_user, stratum.wave.region)
    if outcome not in Outcome.values:
        raise ValidationError(f"拨打结果“{outcome}”无效。")
    if not sample_number.strip():
        raise ValidationError("请填写样本号。")
    with transaction.atomic():
        call = CallAttempt.objects.create(
            wave=stratum.wave,
            stratum=stratum,
            sample_number=sample_number.strip()[:40],
            outcome=outcome,
            interviewer=interviewer.strip()[:60],
            called_at=called_at or timezone.now(),
        )
        audit_record(
            acting_user=acting_user,
            action="survey.call",
            target=stratum.wave,
            after={"stratum": str(stratum), "outcome": outcome},
        )
    return call


# -- feeding the evaluation ----------------------------------------------------------------------


def evaluation_score_feed(*, acting_user, wave: Wave, applicant, measure: str = "rate"):
    """Enter the wave's overall result as an applicant's survey score in a provincial (or city)
    evaluation: the satisfaction rate in percent (满意率) or the score (分值), as the province
    publishes one or the other. The evaluation's own rules apply (who may enter, its version)."""
    from fazhi.fieldwork.services import applicant_scores_save
    from fazhi.surveys.results import percent, two_decimals
    from fazhi.surveys.selectors import wave_report

    if applicant.campaign.region_id != wave.region_id:
        raise ValidationError(
            f"“{wave}”是{wave.region}的测评，不能作为{applicant.campaign.region}的满意度得分。"
        )
    if measure not in MEASURE_LABELS:
        raise ValidationError("请选择计入满意率还是分值。")
    rate = wave_report(wave, with_previous=False).overall.rate
    if rate.rate is None:
        raise ValidationError(f"“{wave}”还没有有效回答，无法计算得分。")
    value = percent(rate.rate) if measure == "rate" else two_decimals(rate.score)
    with transaction.atomic():
        fed = applicant_scores_save(
            acting_user=acting_user,
            applicant=applicant,
            field_score=applicant.field_score,
            survey_score=str(value),
            version=applicant.version,
        )
        audit_record(
            acting_user=acting_user,
            action="survey.feed",
            target=wave,
            region=wave.region,
            summary=f"将{MEASURE_LABELS[measure]} {fed.survey_score} 计入“{applicant.evaluation}”的满意度测评得分",
            after={"applicant": applicant.pk, "measure": measure, "value": str(fed.survey_score)},
        )
    return fed


MEASURE_LABELS = {"rate": "满意率", "score": "分值"}


def strata_update(*, acting_user, wave: Wave, values: dict[int, tuple[int, int | None]]) -> int:
    """Targets and populations of the wave's strata: `values` maps a stratum id to (target,
    population or None). Returns how many strata changed."""
    _check_owner(acting_user, wave.region)
    strata = {stratum.pk: stratum for stratum in wave.strata.all()}
    changed = []
    for pk, (target, population) in values.items():
        stratum = strata.get(pk)
        if stratum is None:
            raise ValidationError("样本单元不属于本次测评。")
        if target < 1 or (population is not None and population < 1):
            raise ValidationError(f"{stratum}：目标样本数和人口数应为正整数。")
        if (stratum.target, stratum.population) != (target, population):
            stratum.target, stratum.population = target, population
            changed.append(stratum)
    with transaction.atomic():
        Stratum.objects.bulk_update(changed, ["target", "population"])
        if changed:
            audit_record(
                acting_user=acting_user,
                action="survey.strata",
                target=wave,
                after={str(s): {"target": s.target, "population": s.population} for s in changed},
            )
    return len(changed)


def evidence_attach(*, acting_user, wave: Wave, item):
    """The wave's Word result report filed as a material (佐证材料) of a campaign's task item,
    usually its satisfaction indicator, through the evidence store's own upload rules."""
    from django.core.files.base import ContentFile

    from fazhi.evidence.services import evidence_upload
    from fazhi.surveys.exports import summary_docx
    from fazhi.surveys.selectors import wave_report

    if item.campaign.region_id != wave.region_id:
        raise ValidationError(f"“{wave}”是{wave.region}的测评，不能作为{item.campaign}的材料。")
    report = wave_report(wave)
    if report.overall.rate.rate is None:
        raise ValidationError(f"“{wave}”还没有有效回答，没有可归档的结果。")
    body = summary_docx(report, today=timezone.localdate())
    # Not inside a transaction of ours: the store writes the file before the material's own
    # transaction (evidence.services._store_outside_transaction), which audits the upload.
    evidence = evidence_upload(
        acting_user=acting_user,
        item=item,
        file=ContentFile(body, name=f"{wave.name}-结果报告.docx"),
        title=f"{wave.name}结果报告",
        description="由满意度测评模块生成：满意率、分值及 95% 置信区间。",
    )
    audit_record(
        acting_user=acting_user,
        action="survey.evidence",
        target=wave,
        region=wave.region,
        summary=f"结果报告归入“{item.campaign}”的 {item.code}",
        after={"item": item.code, "evidence": evidence.pk},
    )
    return evidence
