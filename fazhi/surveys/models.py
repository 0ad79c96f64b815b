"""Satisfaction survey waves (群众满意度测评): the wave, its strata (usually the towns, optionally
split into public and business respondents) with their quotas, the questionnaire's items, the
answers that come in (third-party tables, the public questionnaire, the phone survey), and the
call log of the phone survey.

How answers are kept: one `Respondent` row per respondent with its answers as a compact string,
one character per item (the choice's index in the wave's scale, "-" for no answer), instead of one
row per answer. A wave of 100,000 respondents and 6 items is 100,000 rows instead of 600,000:
the import writes a sixth of the rows and the report reads them in one pass (bench/surveys.py).
Aggregated tables (stratum × item × answer counts) have no respondents: their counts are kept as
`AnswerCount` rows, and the results add both together."""

import secrets

from django.conf import settings
from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy
from fazhi.surveys.scales import default_scale

SURVEY_WRITE_ROLES = frozenset({"admin", "lead_admin"})
NO_ANSWER = "-"


def _public_key() -> str:
    return secrets.token_urlsafe(12)


def _token() -> str:
    return secrets.token_urlsafe(16)


class Wave(models.Model):
    """One round of the survey in a region (a county's 2025 测评). `scale` lists the choices in
    order ({"label", "score" (None: not counted), "satisfied"}); `aliases` maps further words
    users confirmed (还行 → 基本满意) to a label."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="survey_waves", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=200)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    scale = models.JSONField("答案选项", default=default_scale)
    aliases = models.JSONField("答案别名", default=dict, blank=True)
    default_target = models.PositiveIntegerField("每个样本单元目标数", default=100)
    is_open = models.BooleanField("在线问卷开放", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["-year", "region__path", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "name"], name="wave_name_once_a_year")
        ]

    def __str__(self) -> str:
        return self.name


class RespondentType(models.TextChoices):
    PUBLIC = "public", "群众"
    BUSINESS = "business", "企业"


class Stratum(models.Model):
    """A sampling unit of a wave: a town (or another unit, or a region) from the org tree, all
    respondents or one type of them, with its quota and, for weighting, its population. `key` is
    the address of its public questionnaire (printed as a QR code)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="strata")
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="单位",
    )
    name = models.CharField("名称", max_length=100)
    respondent_type = models.CharField(
        "受访者类型", max_length=10, choices=RespondentType.choices, blank=True
    )
    target = models.PositiveIntegerField("目标样本数", default=100)
    population = models.PositiveIntegerField("人口数", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=32, unique=True, default=_public_key, editable=False)

    scope_policy = ScopePolicy(region="wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "样本单元"
        verbose_name_plural = "样本单元"
        ordering = ["wave_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "name", "respondent_type"], name="stratum_once_per_wave"
            )
        ]

    def __str__(self) -> str:
        if self.respondent_type:
            return f"{self.name}（{self.get_respondent_type_display()}）"
        return self.name


class Item(models.Model):
    """A question of the wave's questionnaire (政务服务, 行政执法 …); all share the wave's scale."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="items")
    title = models.CharField("题目", max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    scope_policy = ScopePolicy(region="wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "测评题目"
        verbose_name_plural = "测评题目"
        ordering = ["wave_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["wave", "title"], name="item_once_per_wave")]

    def __str__(self) -> str:
        return self.title


class Source(models.TextChoices):
    IMPORT = "import", "第三方导入"
    ONLINE = "online", "在线问卷"
    PHONE = "phone", "电话调查"


class SurveyImport(models.Model):
    """One confirmed import of a third-party table: what it added can be told apart (and is
    removed with it)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports")
    source_name = models.CharField("文件名", max_length=255)
    layout = models.CharField("格式", max_length=20)
    respondents = models.PositiveIntegerField("受访者数", default=0)
    answers = models.PositiveIntegerField("回答数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "测评结果导入"
        verbose_name_plural = "测评结果导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_name


class Respondent(models.Model):
    """One respondent's answers: `answers[i]` is the scale index ("0".."9") of the answer to the
    wave's i-th item (by position), "-" for none. Anonymous: no name, no phone number; `ref` is
    the evaluator's sample number when a table gives one."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="respondents")
    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, related_name="respondents")
    respondent_type = models.CharField(max_length=10, choices=RespondentType.choices, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    survey_import = models.ForeignKey(
        SurveyImport, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ref = models.CharField("样本编号", max_length=60, blank=True)
    # The single-use token an online response came with: unique, so a token answers once.
    token = models.CharField(max_length=100, null=True, blank=True, unique=True)
    answers = models.CharField("回答", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "受访者"
        verbose_name_plural = "受访者"
        indexes = [models.Index(fields=["wave", "stratum"], name="respondent_wave_stratum")]

    def __str__(self) -> str:
        return self.ref or f"受访者 {self.pk}"


class AnswerCount(models.Model):
    """Counts from an aggregated table: so many respondents of a stratum gave this answer
    (`choice`, the scale index) to this item."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="answer_counts")
    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    respondent_type = models.CharField(max_length=10, choices=RespondentType.choices, blank=True)
    choice = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()
    survey_import = models.ForeignKey(SurveyImport, on_delete=models.CASCADE, related_name="+")

    scope_policy = ScopePolicy(region="wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "汇总回答数"
        verbose_name_plural = "汇总回答数"

    def __str__(self) -> str:
        return f"{self.item_id}:{self.choice}×{self.count}"


class Invitation(models.Model):
    """A single-use invitation to the public questionnaire of a stratum. Issued when someone
    opens the stratum's page (or printed in advance); used by the one response it admits."""

    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=32, unique=True, default=_token)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    scope_policy = ScopePolicy(region="stratum__wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "问卷邀请"
        verbose_name_plural = "问卷邀请"

    def __str__(self) -> str:
        return f"{self.token[:6]}…"


class SubmissionThrottle(models.Model):
    """Public submissions counted per source address in the database, so that every web
    process counts the same (as accounts.LoginThrottle does for failed logins)."""

    ip_address = models.GenericIPAddressField(unique=True)
    count = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()

    class Meta:
        verbose_name = "问卷提交限流"
        verbose_name_plural = "问卷提交限流"

    def __str__(self) -> str:
        return f"{self.ip_address}: {self.count}"


class Outcome(models.TextChoices):
    COMPLETED = "completed", "完成"
    REFUSED = "refused", "拒访"
    NO_ANSWER = "no_answer", "无人接听"
    INVALID = "invalid", "空号/停机"
    NOT_LOCAL = "not_local", "非本地居民"
    APPOINTMENT = "appointment", "约访"


# Someone answered the phone: every outcome but no answer and a dead number.
CONTACT_OUTCOMES = frozenset(
    {Outcome.COMPLETED, Outcome.REFUSED, Outcome.NOT_LOCAL, Outcome.APPOINTMENT}
)


class CallAttempt(models.Model):
    """One call of the phone survey to a sample number."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="calls")
    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, related_name="calls")
    sample_number = models.CharField("样本号", max_length=40)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices)
    interviewer = models.CharField("访问员", max_length=60, blank=True)
    called_at = models.DateTimeField("拨打时间")

    scope_policy = ScopePolicy(region="wave__region", write_roles=SURVEY_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "电话拨打记录"
        verbose_name_plural = "电话拨打记录"
        ordering = ["-called_at"]
        indexes = [models.Index(fields=["wave", "stratum"], name="call_wave_stratum")]

    def __str__(self) -> str:
        return f"{self.sample_number} {self.get_outcome_display()}"
