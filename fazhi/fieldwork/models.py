"""The province's side of a campaign (省级评估): an evaluation over many applicant campaigns, the
field-evaluation (实地评估) and satisfaction-survey (满意度测评) scores it enters, the weights of
its composite ranking, and the outside evaluators it takes on."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

OWNER_ROLES = frozenset({"admin", "lead_admin"})
# The office's reviewers (审核员) key in the field and survey scores; the weights, the applicant
# list and the evaluators stay with the lead office.
SCORE_ROLES = OWNER_ROLES | {"reviewer"}


class Evaluation(models.Model):
    """One evaluation round of a province or city office, e.g. 2025年度全省法治政府建设示范创建
    评估. Outside evaluators (role expert) reach it through their `Evaluator` seat, read-only."""

    region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name="组织评估的地区",
    )
    name = models.CharField("名称", max_length=200)
    description = models.TextField("说明", blank=True)
    written_weight = models.PositiveSmallIntegerField("书面评审权重（%）", default=50)
    field_weight = models.PositiveSmallIntegerField("实地评估权重（%）", default=30)
    survey_weight = models.PositiveSmallIntegerField("满意度测评权重（%）", default=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="region", grant="evaluators__user", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "省级评估"
        verbose_name_plural = "省级评估"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(written_weight__lte=100)
                & Q(field_weight__lte=100)
                & Q(survey_weight__lte=100)
                & Q(
                    written_weight=100
                    - F("field_weight")
                    - F("survey_weight")  # the three weights add up to 100%
                ),
                name="evaluation_weights_sum_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weights(self) -> dict[str, int]:
        return {
            "written": self.written_weight,
            "field": self.field_weight,
            "survey": self.survey_weight,
        }


class Applicant(models.Model):
    """A campaign under evaluation, with the scores the office enters for it (each out of 100;
    empty until entered). `version` is the optimistic lock of the score entry."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="applicants")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="申报活动",
    )
    field_score = models.DecimalField(
        "实地评估得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    survey_score = models.DecimalField(
        "满意度测评得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField("备注", blank=True)
    added_at = models.DateTimeField("加入时间", auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("得分修改时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="evaluation__region",
        grant="evaluation__evaluators__user",
        write_roles=SCORE_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "申报对象"
        verbose_name_plural = "申报对象"
        ordering = ["evaluation", "campaign__region__path", "campaign_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "campaign"], name="applicant_campaign_once"
            ),
            models.CheckConstraint(
                condition=Q(field_score__isnull=True)
                | (Q(field_score__gte=0) & Q(field_score__lte=100)),
                name="applicant_field_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(survey_score__isnull=True)
                | (Q(survey_score__gte=0) & Q(survey_score__lte=100)),
                name="applicant_survey_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.campaign}"


class Evaluator(models.Model):
    """An outside expert or third-party evaluator taken on by the evaluation: granted every
    applicant campaign for the written review, including applicants added later."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluation_seats"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(
        region="evaluation__region", grant="evaluation__evaluators__user", write_roles=OWNER_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "评估专家"
        verbose_name_plural = "评估专家"
        ordering = ["evaluation", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "user"], name="evaluator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.user}"


class FieldPart(models.Model):
    """A part of the field evaluation (实地评估) with its weight, e.g. 法治能力测试 30%, 案卷评查
    40%, 实地核查 30%. An evaluation with parts computes each applicant's field score from its
    part scores, weighted, once every part has one; without parts it is entered as one number."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="field_parts")
    name = models.CharField("组成部分", max_length=50)
    weight = models.PositiveSmallIntegerField("权重（%）")
    position = models.PositiveSmallIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="evaluation__region", grant="evaluation__evaluators__user", write_roles=OWNER_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "实地评估组成部分"
        verbose_name_plural = "实地评估组成部分"
        ordering = ["evaluation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "name"], name="field_part_name_once"),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="field_part_weight_1_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}%）"


class FieldPartScore(models.Model):
    """An applicant's score (0–100) in one part of the field evaluation, typed or taken from a
    test, a case-file review or another source, which `source` names."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="part_scores")
    part = models.ForeignKey(FieldPart, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    source = models.CharField("来源", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("录入时间", auto_now=True)

    scope_policy = ScopePolicy(
        region="applicant__evaluation__region",
        grant="applicant__evaluation__evaluators__user",
        write_roles=SCORE_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "实地评估分项得分"
        verbose_name_plural = "实地评估分项得分"
        ordering = ["applicant", "part__position", "part_id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "part"], name="field_part_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="field_part_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.part.name}"
