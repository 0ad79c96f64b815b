"""法治能力测试: question banks (题库), tests with their blueprints (组卷规则), the roster of
people who may be drawn (抽考名单) and the draws, the sittings (答卷) with every answer as given,
and the drafts of bank imports waiting for confirmation.

A bank and a test belong to the lead office's region; the examinees belong to their units, so a
unit (联络员) reaches its own people's sittings and results and nothing of the bank. Examinees
have no account: a one-time code opens their sitting."""

from django.conf import settings
from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

OWNER_ROLES = frozenset({"admin", "lead_admin"})


class QuestionType(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    JUDGE = "judge", "判断题"
    BLANK = "blank", "填空题"
    ESSAY = "essay", "简答题"


TYPE_ORDER = {kind: index for index, kind in enumerate(QuestionType.values)}
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE})


class Difficulty(models.TextChoices):
    EASY = "easy", "易"
    MEDIUM = "medium", "中"
    HARD = "hard", "难"


class ExamineeRole(models.TextChoices):
    LEADER = "leader", "领导干部"
    CIVIL = "civil", "公务员"
    ENFORCER = "enforcer", "行政执法人员"


class QuestionBank(models.Model):
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属地区"
    )
    name = models.CharField("题库名称", max_length=100)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "题库"
        verbose_name_plural = "题库"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="exam_bank_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question. `options` are the option texts without their letters; `answer` is option
    letters for choice questions, ["正确"] or ["错误"] for 判断, the text of each blank for 填空 and
    the reference answer for 简答."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField("题型", max_length=10, choices=QuestionType.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.JSONField("答案", default=list)
    explanation = models.TextField("解析", blank=True)
    basis = models.CharField("法律依据", max_length=500, blank=True)
    category = models.CharField("分类", max_length=100, blank=True)
    difficulty = models.CharField(
        "难度", max_length=8, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    roles = models.JSONField("适用对象", default=list, blank=True)  # empty: everyone
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("停用日期", null=True, blank=True)
    source = models.CharField("来源位置", max_length=100, blank=True)

    scope_policy = ScopePolicy(region="bank__region", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering = ["bank", "position", "id"]
        indexes = [models.Index(fields=["bank", "kind"], name="exam_question_bank_kind")]

    def __str__(self) -> str:
        return self.stem[:40]


class ExamMode(models.TextChoices):
    EXAM = "exam", "正式考试"
    MOCK = "mock", "模拟练习"


class Exam(models.Model):
    """A test: the bank it draws from, when it may be sat, and how it is scored. Each role's
    paper follows its blueprint; `seed` makes every paper reproducible."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="组织地区"
    )
    bank = models.ForeignKey(
        QuestionBank, on_delete=models.PROTECT, related_name="exams", verbose_name="题库"
    )
    name = models.CharField("测试名称", max_length=200)
    mode = models.CharField("方式", max_length=6, choices=ExamMode.choices, default=ExamMode.EXAM)
    fixed_paper = models.BooleanField("统一试卷（不打乱）", default=False)
    partial_credit = models.BooleanField("多选题少选得部分分", default=False)
    seed = models.CharField("随机种子", max_length=40)
    duration_minutes = models.PositiveSmallIntegerField("考试时长（分钟）", default=60)
    pass_mark = models.DecimalField("及格分", max_digits=6, decimal_places=2, default=60)
    opens_at = models.DateTimeField("开考时间", null=True, blank=True)
    closes_at = models.DateTimeField("截止时间", null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField("允许作答次数", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="region", unit="candidates__unit", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "测试"
        verbose_name_plural = "测试"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_mock(self) -> bool:
        return self.mode == ExamMode.MOCK


class Blueprint(models.Model):
    """组卷规则 for one role ("" for everyone without a role of their own): rows of
    {"type", "category", "difficulty", "count"} ("" category or difficulty: any) and the points
    of one question of each type."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="blueprints")
    role = models.CharField("适用对象", max_length=10, choices=ExamineeRole.choices, blank=True)
    rules = models.JSONField("抽题规则", default=list)
    points = models.JSONField("每题分值", default=dict)
    # The composition drawn with the test's seed when the test was set up, in the bank's order.
    question_ids = models.JSONField("抽中的试题", default=list)

    scope_policy = ScopePolicy(region="exam__region", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["exam", "role"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "role"], name="exam_blueprint_role_once"),
        ]

    def __str__(self) -> str:
        return self.get_role_display() or "通用"


class Draw(models.Model):
    """抽考: a random draw from the roster, N or a share per unit and role, its seed kept so
    that the same draw over the same roster can be made again and checked."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="draws")
    seed = models.CharField("随机种子", max_length=40)
    count = models.PositiveIntegerField("每组抽取人数", null=True, blank=True)
    percent = models.PositiveSmallIntegerField("每组抽取比例（%）", null=True, blank=True)
    drawn = models.PositiveIntegerField("抽中人数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="exam__region", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"抽考 {self.created_at:%Y-%m-%d %H:%M}"


class Candidate(models.Model):
    """A person on the test's roster; drawn (or named directly) they get a code to sit with."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField("姓名", max_length=50)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_text = models.CharField("单位（原文）", max_length=200)
    role = models.CharField("人员类别", max_length=10, choices=ExamineeRole.choices)
    contact_tail = models.CharField("手机或身份证后四位", max_length=8, blank=True)
    row = models.PositiveIntegerField("名单行号", default=0)
    draw = models.ForeignKey(
        Draw, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    code = models.CharField("考试码", max_length=16, unique=True, null=True, blank=True)

    scope_policy = ScopePolicy(region="exam__region", unit="unit", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "考生"
        verbose_name_plural = "考生"
        ordering = ["exam", "row", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_label(self) -> str:
        return str(self.unit) if self.unit else self.unit_text


class SittingStatus(models.TextChoices):
    OPEN = "open", "作答中"
    SUBMITTED = "submitted", "已交卷"
    GRADED = "graded", "已评分"


class Sitting(models.Model):
    """One sitting of one examinee: the paper as drawn for them (question ids with their option
    order), the server's deadline, and the score once graded."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="sittings")
    attempt = models.PositiveSmallIntegerField(default=1)
    paper = models.JSONField(default=list)  # [{"q": id, "order": [original option indexes]}]
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField("到时自动交卷", default=False)
    page_switches = models.PositiveIntegerField("切出页面次数", default=0)
    opens = models.PositiveIntegerField("打开次数", default=1)
    status = models.CharField(
        max_length=10, choices=SittingStatus.choices, default=SittingStatus.OPEN
    )
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    passed = models.BooleanField(null=True)
    blind_key = models.CharField(max_length=12, unique=True)

    scope_policy = ScopePolicy(
        region="candidate__exam__region", unit="candidate__unit", write_roles=OWNER_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        ordering = ["candidate", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "attempt"], name="exam_sitting_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} 第 {self.attempt} 次"


class Answer(models.Model):
    """An answer as given, saved the moment it is given. `response` holds option letters (in
    the bank's order) for choice questions, ["正确"]/["错误"], or the texts written."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    response = models.JSONField(default=list)
    saved_at = models.DateTimeField()
    points = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    scope_policy = ScopePolicy(
        region="sitting__candidate__exam__region",
        unit="sitting__candidate__unit",
        write_roles=OWNER_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sitting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "question"], name="exam_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sitting_id}/{self.question_id}"


class BankImport(models.Model):
    """An uploaded bank waiting for confirmation: the questions read and the problems found.
    No question exists before the confirmation."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    bank_name = models.CharField("题库名称", max_length=100)
    source_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    result = models.JSONField(default=dict)  # {"questions": [...], "problems": [...]}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_name
